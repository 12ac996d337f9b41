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
        return open(path, 3);
    }

    private static FileEvent open(String path, long mntnsId) {
        ProcessInfo p = new ProcessInfo(7, 7, 1, 0, 0, 0, 0, "cat", "sh", NS, mntnsId, 0, 1, ContainerInfo.HOST);
        return new FileEvent(1L, p, FileOp.OPEN, "openat", path, "", 0, -1, -1, -1, 3, false);
    }

    @Test
    void heldOpensComeOutWhenTheLookEndsOrWhenTheyWaitedTooLong() {
        Set<Long> scanning = new HashSet<>(Set.of(NS));
        AtomicLong now = new AtomicLong(1_000);
        UnnamedOpens opens = new UnnamedOpens((mntns, id) -> scanning.contains(mntns), now::get);
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

    /**
     * Two namespaces of one number (the kernel gave the freed number of a container of a
     * millisecond to the next one): the first's opens wait for its own look, whatever the second's.
     */
    @Test
    void aNamespaceThatTookAFreedNumberNeitherReleasesNorHoldsTheOthersOpens() {
        Set<Long> lookingAt = new HashSet<>(Set.of(3L));  // by id
        AtomicLong now = new AtomicLong(1_000);
        UnnamedOpens opens = new UnnamedOpens((mntns, id) -> lookingAt.contains(id), now::get);
        List<FileEvent> out = new ArrayList<>();

        assertThat(opens.onOpen(null, open("/srv/first", 3), NOT_SCANNED)).isEmpty();
        assertThat(opens.onOpen(null, open("/srv/second", 4), NOT_SCANNED)).as("its look ended already").isPresent();
        lookingAt.add(4L);
        assertThat(opens.onOpen(null, open("/srv/second", 4), NOT_SCANNED)).isEmpty();
        lookingAt.remove(4L);  // the second's look ended, not the first's
        opens.releaseReady(null, out::add);
        assertThat(out).extracting(FileEvent::path).containsExactly("/srv/second");
        lookingAt.remove(3L);
        opens.releaseReady(null, out::add);
        assertThat(out).extracting(FileEvent::path).containsExactly("/srv/second", "/srv/first");
        assertThat(opens.stats().overflowed()).isZero();
    }
}
