package io.eunomia.bpf.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which process stands in for a gone task that had a root of its own (issue 16: a chroot inside
 * the namespace). Over a /proc of the test's making, namespace 7 (id 3): its init 42 whose root
 * has /tmp/e → /etc, and 45, chroot-ed into a tree whose /tmp/e → /srv. The call's task 43 is gone;
 * the kernel's root of the call (TaskRoot) says which tree its text means.
 */
class ChrootStandInsTest {
    private static final long NS = 7;
    private static final long ID = 3;
    @TempDir
    Path proc;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Map<Integer, Long> ids = new ConcurrentHashMap<>();
    private TaskView tasks;
    private PathCallResolution stage;
    private TaskRoot chroot;
    private TaskRoot init;

    @BeforeEach
    void namespace() throws Exception {
        init = TaskRoot.of(task(42, "/etc"));
        chroot = TaskRoot.of(task(45, "/srv"));
        assertThat(chroot).as("two trees").isNotEqualTo(init);
        assertThat(chroot.known()).isTrue();
        tasks = new TaskView(proc, pid -> ids.containsKey(pid) ? OptionalLong.of(ids.get(pid)) : OptionalLong.empty(), now::get);
        stage = new PathCallResolution(tasks, now::get, PathCallResolution.MAX_WALKS_PER_SECOND);
    }

    /** proc/PID of namespace NS whose root has /tmp/e → target; returns proc/PID. */
    private Path task(int pid, String target) throws Exception {
        Path root = FakeTasks.task(proc, pid, NS);
        ids.put(pid, ID);
        Files.createDirectories(root.resolve(target.substring(1)));
        Files.createDirectories(root.resolve("tmp"));
        Files.createSymbolicLink(root.resolve("tmp/e"), Path.of(target));
        Files.writeString(proc.resolve(pid + "/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
        return proc.resolve(Integer.toString(pid));
    }

    private static FileEvent rm(int pid, int ppid, String path) {
        ProcessInfo p = new ProcessInfo(pid, pid, ppid, 0, 0, 0, 0, "rm", "sh", NS, ID, 0, 1, ContainerInfo.UNRESOLVED);
        return new FileEvent(1L, p, FileOp.UNLINK, "unlink", path, "", 0, -1, -1, -1, 0, false);
    }

    @Test
    void aChrootedTaskGoneIsWalkedThroughALiveProcessWithItsRootNotTheNamespacesInit() {
        FileEvent e = (FileEvent) stage.apply(rm(43, 41, "/tmp/e/x"), chroot);
        assertThat(e.path()).as("the chroot's /tmp/e, not init's").isEqualTo("/srv/x");
        assertThat(stage.standIns()).isEqualTo(1);
        assertThat(stage.otherRoot()).isZero();
        // The one found is kept for that root: the next call costs no pass over /proc.
        assertThat(((FileEvent) stage.apply(rm(44, 41, "/tmp/e/y"), chroot)).path()).isEqualTo("/srv/y");
        assertThat(tasks.standInScans()).isEqualTo(1);
        // A call of init's root is still walked in init's tree.
        assertThat(((FileEvent) stage.apply(rm(46, 41, "/tmp/e/z"), init)).path()).isEqualTo("/etc/z");
    }

    @Test
    void aRootNoLiveProcessHasKeepsTheTextAndIsCountedAsOtherRoot() throws Exception {
        Path elsewhere = Files.createDirectories(proc.resolve("elsewhere"));
        int fd = io.eunomia.libbpf.PathDescriptors.openDirectory(elsewhere.toString());
        TaskRoot gone;
        try {
            gone = TaskRoot.ofDescriptor(fd);
        } finally {
            io.eunomia.libbpf.PathDescriptors.close(fd);
        }
        FileEvent given = rm(43, 41, "/tmp/e/x");
        assertThat(stage.apply(given, gone)).as("neither init's tree nor the other chroot's").isSameAs(given);
        assertThat(stage.otherRoot()).isEqualTo(1);
        assertThat(stage.taskGone()).isZero();
        assertThat(stage.walks()).isZero();
        assertThat(stage.standIns()).isZero();
    }

    /** `chroot /x sh -c 'rm ...'` from a shell outside: the task's parent is alive, with the namespace's root. */
    @Test
    void aLiveParentWithAnotherRootDoesNotStandIn() {
        FileEvent e = (FileEvent) stage.apply(rm(43, 42, "/tmp/e/x"), chroot);
        assertThat(e.path()).isEqualTo("/srv/x");
        FileEvent parentsOwn = (FileEvent) stage.apply(rm(47, 42, "/tmp/e/x"), init);
        assertThat(parentsOwn.path()).as("the parent's root when it is the task's").isEqualTo("/etc/x");
    }

    /** A live task is walked in its own /proc/PID/root, whatever the kernel's record says (it is the task's). */
    @Test
    void aLiveTaskIsWalkedInItsOwnRoot() {
        assertThat(((FileEvent) stage.apply(rm(45, 42, "/tmp/e/x"), chroot)).path()).isEqualTo("/srv/x");
        assertThat(stage.standIns()).isZero();
    }

    /** A record without the task's root (an older sensor object): any live process of the namespace stands in, as before. */
    @Test
    void anUnknownRootTakesTheNamespacesStandIn() {
        assertThat(((FileEvent) stage.apply(rm(43, 41, "/tmp/e/x"))).path()).isEqualTo("/etc/x");
        assertThat(stage.standIns()).isEqualTo(1);
    }

    /**
     * The kept stand-in chroot-ed elsewhere since the pass: the next call in the directory walked through it
     * (once that walk is no longer remembered) is not walked in its new root, the stand-in is dropped, and
     * a later pass finds one with the root again.
     */
    @Test
    void aKeptStandInThatChangedItsRootIsDroppedAndFoundAgain() throws Exception {
        assertThat(((FileEvent) stage.apply(rm(43, 41, "/tmp/e/x"), chroot)).path()).isEqualTo("/srv/x");
        Path root45 = proc.resolve("45/root");
        Files.move(root45, proc.resolve("45-old-root"));
        // 45's root is another tree now, whose /tmp/e leads elsewhere
        Files.createDirectories(root45.resolve("var"));
        Files.createDirectories(root45.resolve("tmp"));
        Files.createSymbolicLink(root45.resolve("tmp/e"), Path.of("/var"));
        now.addAndGet(RecentDirectories.VALID_NANOS);  // the walk of /tmp/e no longer remembered
        FileEvent given = rm(44, 41, "/tmp/e/x");
        assertThat(stage.apply(given, chroot)).as("not walked in 45's new root").isSameAs(given);
        assertThat(stage.otherRoot()).isEqualTo(1);
        assertThat(tasks.standInScans()).as("the kept stand-in looked at, not a new pass").isEqualTo(1);
        // Another process enters the chroot (the old tree, moved here as 48's root); after the interval a pass finds it.
        FakeTasks.task(proc, 48, NS);
        Files.delete(proc.resolve("48/root"));
        Files.move(proc.resolve("45-old-root"), proc.resolve("48/root"));
        Files.writeString(proc.resolve("48/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
        ids.put(48, ID);
        now.addAndGet(NamespaceStandIns.SCAN_INTERVAL_NANOS);
        assertThat(((FileEvent) stage.apply(rm(49, 41, "/tmp/e/y"), chroot)).path()).isEqualTo("/srv/y");
        assertThat(tasks.standInScans()).isEqualTo(2);
    }

    /** The only process in the chroot listed after many of the namespace's own root: still found (all are looked at for a root). */
    @Test
    void theProcessWithTheRootIsFoundAmongManyOfTheNamespacesRoot() throws Exception {
        deleteTree(proc.resolve("45"));
        for (int pid = 50; pid < 60; pid++) {
            task(pid, "/etc");
        }
        Path later = task(99, "/srv");
        TaskRoot laterRoot = TaskRoot.of(later);
        assertThat(((FileEvent) stage.apply(rm(43, 41, "/tmp/e/x"), laterRoot)).path()).isEqualTo("/srv/x");
        assertThat(tasks.standInScans()).isEqualTo(1);
    }

    /**
     * A one-shot `chroot /x cmd` gone: no process has its root. Its calls cost one pass's root reads,
     * at most MAX_ROOT_READS (the rest counted), not a loop over the namespace's processes per call.
     */
    @Test
    void aRootNoProcessHasCostsOneBoundedRoundOfRootReadsPerPass() throws Exception {
        int processes = NamespaceStandIns.MAX_ROOT_READS + 100;
        for (int pid = 1000; pid < 1000 + processes - 2; pid++) {  // with 42 and 45
            FakeTasks.task(proc, pid, NS);
            ids.put(pid, ID);
        }
        FakeTasks.task(proc, 5, NS + 1);
        TaskRoot gone = TaskRoot.of(proc.resolve("5"));  // a root no process of NS has
        NamespaceStandIns standIns = new NamespaceStandIns(proc, now::get);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        NamespaceStandIns.Membership member = (pid, ns, id) -> {
            asked.incrementAndGet();
            return ids.get(pid) == id;
        };
        for (int call = 0; call < 20; call++) {
            assertThat(standIns.find(NS, ID, gone, member)).isZero();
        }
        assertThat(standIns.scans()).isEqualTo(1);
        assertThat(standIns.rootReads()).as("one pass's reads, bounded").isEqualTo(NamespaceStandIns.MAX_ROOT_READS);
        assertThat(standIns.rootsUnread()).as("the rest, once: not per call").isEqualTo(processes - NamespaceStandIns.MAX_ROOT_READS);
        assertThat(asked).as("no process had the root").hasValue(0);
        // The next pass: as many again, no more.
        now.addAndGet(NamespaceStandIns.SCAN_INTERVAL_NANOS);
        for (int call = 0; call < 20; call++) {
            assertThat(standIns.find(NS, ID, gone, member)).isZero();
        }
        assertThat(standIns.scans()).isEqualTo(2);
        assertThat(standIns.rootReads()).isEqualTo(2L * NamespaceStandIns.MAX_ROOT_READS);
        assertThat(standIns.rootsUnread()).isEqualTo(2L * (processes - NamespaceStandIns.MAX_ROOT_READS));
    }

    /** A stand-in forgotten (it chroot-ed elsewhere since the pass) is not found again from its stale root of the pass. */
    @Test
    void aForgottenStandInIsNotFoundAgainFromItsRootOfThePass() throws Exception {
        NamespaceStandIns standIns = new NamespaceStandIns(proc, now::get);
        NamespaceStandIns.Membership member = (pid, ns, id) -> id == ids.get(pid);
        assertThat(standIns.find(NS, ID, chroot, member)).isEqualTo(45);
        Path root45 = proc.resolve("45/root");
        Files.move(root45, proc.resolve("45-old-root"));
        Files.createDirectories(root45);  // 45 chroot-ed elsewhere
        standIns.forget(NS, ID, chroot);
        assertThat(standIns.find(NS, ID, chroot, member)).as("45's root read again in the same pass").isZero();
        assertThat(standIns.scans()).isEqualTo(1);
        assertThat(standIns.find(NS, ID, init, member)).as("init's root still found").isEqualTo(42);
    }

    private static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** A process of a later namespace given the number, with the very root (a container's directory reused): never a stand-in. */
    @Test
    void aProcessOfAnotherNamespaceWithTheRootDoesNotStandIn() {
        ids.put(45, ID + 1);
        FileEvent given = rm(43, 41, "/tmp/e/x");
        assertThat(stage.apply(given, chroot)).isSameAs(given);
        assertThat(stage.otherRoot()).isEqualTo(1);
    }
}
