package io.eunomia.bpf.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of one process's events takes its facts from the burst's first event, without looking the
 * process up in the table again (the per-event cost the soak measures), and only while nothing
 * could have changed them; facts a failed look-up left empty are not reused (the next event looks
 * again, as before the reuse). Run on a /proc of our own making, so that what a look-up would find
 * is known.
 */
class ProcessEnrichmentBurstTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int PID = 500;

    @TempDir
    Path proc;

    private final List<Event> delivered = new ArrayList<>();

    private static FileEvent write(long at, int ppid) {
        ProcessInfo p = new ProcessInfo(PID, PID, ppid, 0, 0, 0, 0, "worker", 4026531841L, 2, 4026531836L, 1, ContainerInfo.HOST);
        return new FileEvent(at, p, FileOp.OPEN, "openat", "/dev/null", "", 01, 0, -1, -1, 3, true);
    }

    /** /proc/PID as the process table reads it (stat, cmdline; the rest left unreadable). */
    private void appears(int pid, int ppid, String cmdline) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (worker) S " + ppid + " 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0");
        Files.writeString(dir.resolve("cmdline"), cmdline.replace(' ', '\0') + "\0");
    }

    private String cmdline(int i) {
        return delivered.get(i).process().facts().cmdline();
    }

    @Test
    void aBurstKeepsItsFirstEventsFactsAndLooksAgainOnlyOnceTheyMayHaveChanged() throws Exception {
        ProcessEnrichment enrichment = new ProcessEnrichment(new ProcReader(proc), 64, delivered::add);
        enrichment.accept(write(T0, 1));              // not in our /proc yet: no facts, the table unchanged
        appears(PID, 1, "worker --busy");
        enrichment.accept(write(T0 + 1_000, 1));      // the same burst, but the first look-up failed: looked up again
        enrichment.accept(write(T0 + 2_000, 1));      // the same burst: the facts found are reused
        enrichment.accept(write(T0 + 1_000_000_000L, 1)); // a second later: the table is asked (its entry kept)
        assertThat(cmdline(0)).isEmpty();
        assertThat(cmdline(1)).as("facts from a failed look-up are not reused").isEqualTo("worker --busy");
        assertThat(cmdline(2)).isEqualTo("worker --busy");
        assertThat(cmdline(3)).isEqualTo("worker --busy");

        appears(2, 1, "init-child");
        enrichment.accept(write(T0 + 1_000_000_001L, 2)); // reparented: the table moves it, the facts follow
        assertThat(delivered.get(4).process().facts().ancestors()).extracting(a -> a.pid()).startsWith(2);
        assertThat(cmdline(4)).isEqualTo("worker --busy");

        assertThat(delivered).extracting(e -> e.process().facts().eventNum()).containsExactly(1L, 2L, 3L, 4L, 5L);
    }
}
