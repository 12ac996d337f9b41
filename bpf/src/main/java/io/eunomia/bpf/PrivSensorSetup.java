package io.eunomia.bpf;

import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.BpfProgram;
import java.util.List;

/**
 * The privilege sensor watches module loading through the per-syscall tracepoints where the
 * kernel has them. A kernel built without module support has none (the calls only return
 * ENOSYS there); then a sys_enter program filtered to the three module calls reports the
 * attempts instead. That program runs on every syscall, so it is loaded only when asked for
 * ({@link SensorOptions#moduleFallback()}) and needed.
 */
final class PrivSensorSetup implements SensorConfigurer {
    static final PrivSensorSetup INSTANCE = new PrivSensorSetup();

    private static final String FALLBACK = "module_fallback_enter";
    private static final List<String> MODULE_CALLS = List.of("init_module", "finit_module", "delete_module");
    private static final System.Logger LOG = System.getLogger(PrivSensorSetup.class.getName());

    private PrivSensorSetup() {}

    @Override
    public void beforeLoad(BpfObject object, SensorOptions options) {
        BpfProgram fallback = object.programs().get(FALLBACK);
        if (fallback == null) {
            return; // an architecture without the fallback's syscall numbers
        }
        boolean tracepointsMissing = MODULE_CALLS.stream()
                .anyMatch(call -> !object.program("enter_" + call).autoload());
        fallback.setAutoload(tracepointsMissing && options.moduleFallback());
        if (tracepointsMissing && options.moduleFallback()) {
            LOG.log(System.Logger.Level.DEBUG, "kernel without module syscall tracepoints (no module support): "
                    + "module load attempts are watched at sys_enter instead");
        }
    }

    @Override
    public void configure(BpfObject object, SensorOptions options) {
    }
}
