package io.eunomia.bpf;

import io.eunomia.libbpf.BpfObject;

/** Writes a sensor's own kernel maps after load and before attach. */
@FunctionalInterface
interface SensorConfigurer {
    SensorConfigurer NONE = (obj, options) -> { };

    void configure(BpfObject object, SensorOptions options);

    /**
     * Before load, after programs whose hook this kernel lacks were switched off: a sensor may
     * choose between alternative programs here (e.g. a fallback hook for a missing tracepoint).
     */
    default void beforeLoad(BpfObject object, SensorOptions options) {
    }
}
