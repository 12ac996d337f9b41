package io.eunomia.bpf.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table on this host's real /proc: seeding is bounded, a miss is read from /proc, exits evict. */
class ProcessTableTest {
    @Test
    void seedIsBoundedAndForgetsTheLeastRecentlyUsed() {
        List<Object> delivered = new ArrayList<>();
        ProcessEnrichment small = new ProcessEnrichment(ProcReader.system(), 4, delivered::add).seed();
        assertThat(small.tracked()).isEqualTo(4);
        ProcessTable t = new ProcessTable(ProcReader.system(), 4);
        t.seed();
        for (int pid : ProcReader.system().pids().subList(0, 8)) {
            t.get(pid);
        }
        assertThat(t.size()).isEqualTo(4);
        assertThat(t.evicted()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aMissIsReadFromProcAndAncestorsLeadToInit() throws Exception {
        Process sleeper = new ProcessBuilder("sh", "-c", "sleep 30; exit 0").start();
        try {
            ProcessTable t = new ProcessTable(ProcReader.system(), 1024);
            long self = ProcessHandle.current().pid();
            long shell = sleeper.pid();
            ProcessTable.Entry e = t.get((int) shell).orElseThrow();
            assertThat(e.ppid()).isEqualTo((int) self);
            assertThat(e.cmdline()).isEqualTo("sh -c sleep 30; exit 0");
            assertThat(e.cwd()).isEqualTo(Path.of("").toAbsolutePath() + "/");
            List<ProcessTable.Entry> up = t.ancestors((int) shell);
            assertThat(up.getFirst().pid()).isEqualTo((int) shell);
            assertThat(up.getFirst().comm()).isEqualTo("sh");
            assertThat(up.get(1).pid()).isEqualTo((int) self);
            assertThat(up.get(1).exe()).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString());
            t.exit((int) shell);
            sleeper.destroy();
            sleeper.waitFor();
            assertThat(t.get((int) shell)).isEmpty(); // gone from the table and from /proc
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
