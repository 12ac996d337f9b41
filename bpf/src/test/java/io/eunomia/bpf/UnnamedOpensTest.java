package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.FileRecords.Unnamed;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Opens of a namespace being looked at wait for its look, and no longer than MAX_HOLD_NANOS: a look
 * that never ends (a stat stuck on a FUSE root) must not keep them. Without the file sensor's map
 * (null object) nothing is named, so a held open comes out as it went in.
 */
class UnnamedOpensTest {
    private static final long NS = 4026532000L;
    private static final Unnamed NOT_SCANNED = new Unnamed(1, 2, 2);

    private static FileEvent open(String path) {
        ProcessInfo p = new ProcessInfo(7, 7, 1, 0, 0, 0, 0, "cat", "sh", NS, 3, 0, 1, ContainerInfo.HOST);
        return new FileEvent(1L, p, FileOp.OPEN, "openat", path, "", 0, -1, -1, -1, 3, false);
    }

    @Test
    void heldOpensComeOutWhenTheLookEndsOrWhenTheyWaitedTooLong() {
        Set<Long> scanning = new HashSet<>(Set.of(NS));
        AtomicLong now = new AtomicLong(1_000);
        UnnamedOpens opens = new UnnamedOpens(scanning::contains, now::get);
        List<FileEvent> out = new ArrayList<>();

        assertThat(opens.onOpen(null, open("/etc/a"), NOT_SCANNED)).isEmpty();
        opens.releaseReady(null, out::add);
        assertThat(out).isEmpty();
        assertThat(opens.holding()).isTrue();
        scanning.clear();  // the look ended
        opens.releaseReady(null, out::add);
        assertThat(out).extracting(FileEvent::path).containsExactly("/etc/a");
        assertThat(opens.holding()).isFalse();

        scanning.add(NS);  // a look that never ends
        assertThat(opens.onOpen(null, open("/etc/b"), NOT_SCANNED)).isEmpty();
        now.addAndGet(UnnamedOpens.MAX_HOLD_NANOS - 1);
        opens.releaseReady(null, out::add);
        assertThat(out).hasSize(1);
        now.addAndGet(1);
        opens.releaseReady(null, out::add);
        assertThat(out).extracting(FileEvent::path).containsExactly("/etc/a", "/etc/b");
        assertThat(opens.holding()).isFalse();
        assertThat(opens.stats().overflowed()).as("judged without its namespace's look").isEqualTo(1);
    }
}
