package io.eunomia.bpf;

import io.eunomia.event.Event;
import io.eunomia.libbpf.BpfObject;
import java.util.function.Predicate;

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

    /**
     * What user space still drops after decoding, for filters the kernel applies only where it
     * can decide (e.g. the file sensor's prefixes on paths with ".."). Default: nothing.
     */
    default Predicate<Event> eventFilter(SensorOptions options) {
        return e -> true;
    }
}
