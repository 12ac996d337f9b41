package io.eunomia.bpf.internal;

import io.eunomia.bpf.SensorUnavailableException;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.BpfProgram;
import java.util.ArrayList;
import java.util.List;

/** Leaves out, before load, the programs of a sensor whose hook this kernel lacks (e.g. sys_enter_open on arm64). */
public final class MissingHooks {
    private static final System.Logger LOG = System.getLogger(MissingHooks.class.getName());

    private MissingHooks() {}

    /**
     * Turns off autoload of each program of {@code obj} whose hook is missing here, says so, and
     * returns them as "sensor:section".
     *
     * @throws SensorUnavailableException when none of the sensor's hooks exists here
     */
    public static List<String> disable(String sensorName, BpfObject obj) {
        List<String> skipped = new ArrayList<>();
        for (BpfProgram p : obj.programs().values()) {
            String sec = p.sectionName();
            boolean present;
            if (sec.startsWith("tracepoint/")) {
                Preflight.ensureTracefs();
                String[] parts = sec.split("/");
                present = parts.length == 3 && Preflight.tracepointExists(parts[1], parts[2]);
            } else if (sec.startsWith("tp_btf/")) {
                present = Preflight.btfTracepointExists(sec.substring("tp_btf/".length()));
            } else {
                present = true;
            }
            if (!present) {
                p.setAutoload(false);
                skipped.add(sensorName + ":" + sec);
                LOG.log(System.Logger.Level.DEBUG, "this kernel has no hook " + sec + ": " + sensorName
                        + " sensor runs without program " + p.name());
            }
        }
        if (obj.programs().values().stream().noneMatch(BpfProgram::autoload)) {
            throw new SensorUnavailableException("the " + sensorName + " sensor cannot run here: this kernel has "
                    + "none of its hooks (" + String.join(", ", skipped) + ")");
        }
        return skipped;
    }
}
