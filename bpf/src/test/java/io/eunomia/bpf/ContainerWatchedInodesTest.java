package io.eunomia.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eunomia.bpf.internal.BpfResources;
import io.eunomia.bpf.internal.CallDispatchers;
import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.StreamKind;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
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
    private static final Duration WAIT = Duration.ofSeconds(60);  // awaits what an act causes: ends at once when it comes

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

    /** A failed exec (the PATH search of a compiler's `as` in a container) carries no root: it takes no look, the next exec does. */
    @Test
    void aFailedExecTakesNoRootLook() throws Exception {
        int pid = (int) ProcessHandle.current().pid();
        ProcessInfo p = new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, "gcc", MNTNS, MNTNS_ID, 0, 1, ContainerInfo.HOST);
        try (BpfObject file = BpfObject.open("file.bpf.o", BpfResources.read(Sensor.FILE.resource()));
             ContainerWatchedInodes w = new ContainerWatchedInodes(NOT_THIS_NAMESPACE)) {
            IdentityWatch watch = new IdentityWatch(w, () -> file, () -> { }, Optional.empty());
            for (int i = 0; i < 3; i++) {
                watch.refresh(exec(p, "/usr/local/bin/as", -2), Optional.empty());
            }
            assertEquals(0, w.rootsLookedAt(), "failed execs");
            watch.refresh(exec(p, "/usr/bin/as", 0), Optional.empty());
            assertEquals(1, w.rootsLookedAt(), "the successful exec");
        }
    }

    private static ExecEvent exec(ProcessInfo p, String exe, long result) {
        return new ExecEvent(1L, p, p.pid(), exe, List.of("as"), 1, false, "", StreamKind.NONE, StreamKind.NONE, StreamKind.NONE, result);
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
            // Only its maps are used: its 32-bit call programs (most of its verifier time) stay out.
            CallDispatchers.COMPAT_PROGRAMS.forEach(name -> file.program(name).setAutoload(false));
            file.load();
            try (ContainerWatchedInodes w = new ContainerWatchedInodes(NOT_THIS_NAMESPACE)) {
                // A's root changes (chroot): its first root's keys are forgotten by the new look.
                w.lookAt(file, MNTNS, MNTNS_ID, tmp.resolve("image"), prefixes);
                awaitLook(w, MNTNS_ID);
                w.lookAt(file, MNTNS, MNTNS_ID + 1, tmp.resolve("image"), prefixes);
                awaitLook(w, MNTNS_ID + 1);
                w.lookAt(file, MNTNS, MNTNS_ID, other, prefixes);
                awaitLook(w, MNTNS_ID);
                assertEquals(MNTNS_ID + 1, ownerIn(file, key), "B's entry stays when A's root changes");

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
                assertEquals(MNTNS_ID + 2, ownerIn(file, key), "C's entry stays when B, of its number, is trimmed");
            }
        }
    }

    private static void awaitLook(ContainerWatchedInodes w, long id) throws InterruptedException {
        awaitLook(w, MNTNS, id);
    }

    private static void awaitLook(ContainerWatchedInodes w, long mntns, long id) throws InterruptedException {
        long key = ContainerWatchedInodes.flagKey(mntns, id);
        long deadline = System.nanoTime() + 120_000_000_000L;  // a loaded machine's scanner thread
        while (w.awaited(mntns, id) && w.namespaces().contains(key) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static long ownerIn(BpfObject file, byte[] key) {
        return file.map("watched_inodes").lookup(key).map(WatchedInodes::ownerOf).orElse(-1L);
    }

    /**
     * The kernel's owner check, on a real open: a process in a namespace of its own (unshare -m)
     * opens, through a hard link, a file that a dead namespace of the same number had watched (its
     * look wrote the entry; the kernel hands a freed number to the next namespace). The open is of
     * the name used, not of the dead container's /etc/shadow; once the live namespace's own look
     * wrote the entry, the same open is named /etc/shadow. The old map held the number only: the
     * first open was named /etc/shadow too.
     */
    @Test
    void aNamespaceThatGotADeadOnesNumberIsNotNamedByItsEntries(@TempDir Path tmp) throws Exception {
        Path image = tmp.toRealPath().resolve("image");
        Files.createDirectories(image.resolve("etc"));
        Files.writeString(image.resolve("etc/shadow"), "s");
        Path link = Files.createLink(image.resolve("link"), image.resolve("etc/shadow"));
        List<String> prefixes = List.of("/etc/shadow");
        Process child = new ProcessBuilder("unshare", "-m", "--propagation", "private", "python3", "-c", """
                import sys
                for _ in range(2):
                    sys.stdin.readline()
                    open(sys.argv[1]).close()
                """, link.toString()).redirectErrorStream(true).start();
        try {
            long pid = child.pid();
            long number = namespaceOf(pid);
            long id = Libc.mountNamespaceId(pid).orElse(0);
            SensorOptions opts = SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) pid);
            try (KernelSensors sensors = KernelSensors.start(opts);
                 EventCollector events = new EventCollector(sensors, FileEvent.class::isInstance);
                 ContainerWatchedInodes w = new ContainerWatchedInodes(NOT_THIS_NAMESPACE)) {
                BpfObject file = sensors.object(Sensor.FILE);
                assertTrue(id != 0, "mount namespaces have ids here (6.18): without them the number is all there is");
                long dead = id + 1_000_000;
                w.lookAt(file, number, dead, image, prefixes);
                awaitLook(w, number, dead);
                FileEvent first = openAgain(child, events, pid, link);
                assertEquals(link.toString(), first.path(), "the dead namespace's entry names nothing for the live one");

                w.lookAt(file, number, id, image, prefixes);
                awaitLook(w, number, id);
                FileEvent second = openAgain(child, events, pid, link);
                assertEquals("/etc/shadow", second.path(), "its own look's entry names it");
                assertEquals(link.toString(), second.newPath());
            }
        } finally {
            child.destroyForcibly();
        }
    }

    /** The next open of the child, once it is in its own namespace: one line on its stdin makes it open link. */
    private static FileEvent openAgain(Process child, EventCollector events, long pid, Path link) throws Exception {
        var mark = events.mark();
        child.getOutputStream().write('\n');
        child.getOutputStream().flush();
        return events.await(mark, FileEvent.class, e -> e.process().pid() == pid && e.op() == FileOp.OPEN
                && (e.path().equals(link.toString()) || e.newPath().equals(link.toString())), WAIT);
    }

    /** The mount namespace number of pid once it is another than this process's (unshare has made its own). */
    private static long namespaceOf(long pid) throws Exception {
        String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String ns = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns/mnt")).toString();
            if (!ns.equals(ours)) {
                return Long.parseLong(ns.substring(ns.indexOf('[') + 1, ns.length() - 1));
            }
            Thread.sleep(5);
        }
        throw new AssertionError("pid " + pid + " never left this mount namespace");
    }
}
