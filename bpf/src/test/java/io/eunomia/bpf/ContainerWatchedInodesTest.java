package io.eunomia.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eunomia.bpf.internal.BpfResources;
import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.libbpf.BpfObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root look of an exec in a namespace not the host's: taken once per root the kernel reported,
 * again when the root changes, every time when the kernel reported none or one the stat disagrees
 * with. This process stands for one in a private namespace with the host's root (unshare -m): no
 * file sensor is needed for that answer (marking it scanned without one is a no-op).
 */
class ContainerWatchedInodesTest {
    private static final long NOT_THIS_NAMESPACE = -7;
    private static final long MNTNS = 4026532999L;
    private static final long MNTNS_ID = 12345;

    @Test
    void aRootTheKernelReportedAgainIsNotLookedAtAgainAnotherOneIs() throws Exception {
        long ino = ((Number) Files.getAttribute(Path.of("/"), "unix:ino")).longValue();
        int pid = (int) ProcessHandle.current().pid();
        ProcessRecords.Root root = new ProcessRecords.Root(0, 42, ino, "/");
        try (ContainerWatchedInodes w = new ContainerWatchedInodes(NOT_THIS_NAMESPACE)) {
            w.onProcess(null, MNTNS, MNTNS_ID, pid, List.of(), Optional.of(root));
            w.onProcess(null, MNTNS, MNTNS_ID, pid, List.of(), Optional.of(root));
            assertEquals(1, w.rootsLookedAt(), "the second exec with the same root reuses the first look");

            w.onProcess(null, MNTNS, MNTNS_ID + 1, pid, List.of(), Optional.of(root));
            assertEquals(2, w.rootsLookedAt(), "another namespace (same number, new id) is looked at");

            ProcessRecords.Root moved = new ProcessRecords.Root(0, 42, ino + 1, "/");
            w.onProcess(null, MNTNS, MNTNS_ID, pid, List.of(), Optional.of(moved));
            w.onProcess(null, MNTNS, MNTNS_ID, pid, List.of(), Optional.of(moved));
            assertEquals(4, w.rootsLookedAt(), "a root the stat did not see is never taken as settled");

            w.onProcess(null, MNTNS, MNTNS_ID, pid, List.of(), Optional.of(root));
            assertEquals(4, w.rootsLookedAt(), "the settled root still stands");

            w.onProcess(null, MNTNS, MNTNS_ID, pid, List.of(), Optional.empty());
            w.onProcess(null, MNTNS, MNTNS_ID, pid, List.of(), Optional.empty());
            assertEquals(6, w.rootsLookedAt(), "without the kernel's root every exec is looked at");
        }
    }

    /**
     * A freed number goes to the next namespace made: that one's exec taken in says nothing of
     * another namespace of the number whose exec is yet to come (a container of a millisecond
     * passes its number on before its records are all read), whose opens still wait for its look.
     */
    @Test
    void anExecTakenInIsTheNamespacesOwnNotItsNumbers() {
        int pid = (int) ProcessHandle.current().pid();
        try (ContainerWatchedInodes w = new ContainerWatchedInodes(NOT_THIS_NAMESPACE)) {
            assertTrue(w.awaited(MNTNS, MNTNS_ID), "no exec taken in yet: its opens wait for its look");
            w.onProcess(null, MNTNS, MNTNS_ID + 1, pid, List.of(), Optional.empty());
            assertFalse(w.awaited(MNTNS, MNTNS_ID + 1), "looked at (the host's root): nothing to wait for");
            assertTrue(w.awaited(MNTNS, MNTNS_ID), "another namespace of the same number still waits");
            w.onProcess(null, MNTNS, MNTNS_ID, pid, List.of(), Optional.empty());
            assertFalse(w.awaited(MNTNS, MNTNS_ID));
        }
    }

    /**
     * The kernel gives a dead container's number to the next namespace; one of the same image has
     * the same lower-layer files, and its look writes the same (dev, ino) entries with that number.
     * Dropping the dead one's scan (trimmed, or its root changed) must leave the live one's entries.
     */
    @Test
    void droppingADeadNamespacesScanKeepsTheEntriesALiveOneOfItsNumberWrote(@TempDir Path tmp) throws Exception {
        Path image = Files.createDirectories(tmp.resolve("image/etc"));
        Files.writeString(image.resolve("shadow"), "s");
        Path other = Files.createDirectories(tmp.resolve("other"));
        byte[] key = WatchedInodes.key(WatchedInodes.files(List.of(image + "/shadow")).get(image + "/shadow"));
        List<String> prefixes = List.of("/etc/shadow");
        try (BpfObject file = BpfObject.open("file.bpf.o", BpfResources.read(Sensor.FILE.resource()))) {
            file.load();
            try (ContainerWatchedInodes w = new ContainerWatchedInodes(NOT_THIS_NAMESPACE)) {
                // A's root changes (chroot): its first root's keys are forgotten by the new look.
                w.lookAt(file, MNTNS, MNTNS_ID, tmp.resolve("image"), prefixes);
                awaitLook(w, MNTNS_ID);
                w.lookAt(file, MNTNS, MNTNS_ID + 1, tmp.resolve("image"), prefixes);
                awaitLook(w, MNTNS_ID + 1);
                w.lookAt(file, MNTNS, MNTNS_ID, other, prefixes);
                awaitLook(w, MNTNS_ID);
                assertEquals(MNTNS, mntnsIn(file, key), "B's entry stays when A's root changes");

                // A trimmed: as many namespaces looked at after it as are kept.
                w.lookAt(file, MNTNS, MNTNS_ID + 2, tmp.resolve("image"), prefixes);
                awaitLook(w, MNTNS_ID + 2);
                // Kept in the order last looked at: B, A (its root changed), C, then these; B goes first.
                for (int i = 0; i < ContainerWatchedInodes.MAX_NAMESPACES - 2; i++) {
                    w.lookAt(file, MNTNS + 1 + i, MNTNS_ID + 3 + i, other, prefixes);
                    awaitLook(w, MNTNS_ID + 3 + i);  // one at a time: the scanner's queue is bounded
                }
                assertFalse(w.namespaces().contains(MNTNS_ID + 1), "B is trimmed");
                w.lookAt(file, MNTNS + 1000, MNTNS_ID + 1000, other, prefixes);  // queued after the forgets
                awaitLook(w, MNTNS_ID + 1000);
                assertTrue(w.namespaces().contains(MNTNS_ID + 2));
                assertEquals(MNTNS, mntnsIn(file, key), "C's entry stays when B, of its number, is trimmed");
            }
        }
    }

    private static void awaitLook(ContainerWatchedInodes w, long id) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;  // a loaded machine's scanner thread
        while (w.awaited(MNTNS, id) && w.namespaces().contains(id) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static long mntnsIn(BpfObject file, byte[] key) {
        return file.map("watched_inodes").lookup(key).map(WatchedInodes::mntnsOf).orElse(-1L);
    }
}
