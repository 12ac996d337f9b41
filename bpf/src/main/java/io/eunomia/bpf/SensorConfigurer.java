package io.eunomia.bpf;

import io.eunomia.libbpf.BpfObject;

/** Writes a sensor's own kernel maps after load and before attach. */
@FunctionalInterface
interface SensorConfigurer {
    SensorConfigurer NONE = (obj, options) -> { };

    void configure(BpfObject object, SensorOptions options);
}
