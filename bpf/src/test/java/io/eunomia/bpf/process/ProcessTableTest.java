package io.eunomia.bpf.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ProcessFacts;
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
            List<ProcessFacts.Ancestor> up = t.ancestors((int) shell);
            assertThat(up.getFirst().pid()).isEqualTo((int) shell);
            assertThat(up.getFirst().name()).isEqualTo("sh");
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

    @Test
    void aParentsChainIsReusedUntilAProcessAlongItChanges() throws Exception {
        Process sleeper = new ProcessBuilder("sh", "-c", "sleep 30; exit 0").start();
        try {
            ProcessTable t = new ProcessTable(ProcReader.system(), 1024);
            int shell = (int) sleeper.pid();
            int self = (int) ProcessHandle.current().pid();
            List<ProcessFacts.Ancestor> first = t.ancestors(shell);
            assertThat(t.ancestors(shell)).as("asked again, nothing changed").isSameAs(first);

            // The shell execs: its siblings' next events carry the new program, not the memo.
            t.exec(shell, self, "renamed", "/bin/renamed", "renamed -x", System.currentTimeMillis() * 1_000_000L, false, 0, 0, null, "", 0);
            List<ProcessFacts.Ancestor> afterExec = t.ancestors(shell);
            assertThat(afterExec.getFirst().name()).isEqualTo("renamed");
            assertThat(afterExec.getFirst().cmdline()).isEqualTo("renamed -x");
            assertThat(afterExec.subList(1, afterExec.size())).isEqualTo(first.subList(1, first.size()));

            // Reparented to init: the chain ends there.
            t.current(shell, 1);
            List<ProcessFacts.Ancestor> reparented = t.ancestors(shell);
            assertThat(reparented).extracting(ProcessFacts.Ancestor::pid).containsExactly(shell, 1);

            // Gone from the table and from /proc: no chain at all.
            t.exit(shell);
            sleeper.destroy();
            sleeper.waitFor();
            assertThat(t.ancestors(shell)).isEmpty();
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
