package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.EvasionProbe;
import java.util.ArrayList;
import java.util.List;

/** One run of evade.c's probe ({@link EvasionProbe}) in a mode that must report success ("MODE: 0") or the result asked. */
record ProbeRun(long pid, String output) {
    static ProbeRun of(String... args) throws Exception {
        return ending(0, args);
    }

    /** A run whose mode must report result (a call expected to fail: -errno). */
    static ProbeRun ending(long result, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(EvasionProbe.binary().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).as("the probe's own result").endsWith(": " + result + "\n");
        return new ProbeRun(p.pid(), out);
    }
}
