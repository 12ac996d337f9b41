package io.eunomia.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eunomia.bpf.internal.ProcessRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
}
