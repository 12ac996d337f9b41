package io.eunomia.bpf.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SyscallEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage over a /proc of the test's making: task 42 (parent 41) in mount namespace 7, its root a
 * temporary directory with /etc, a symlink /tmp/e to /etc, and /mnt/x that its mountinfo says is a
 * bind of the root file system's /etc.
 */
class PathCallResolutionTest {
    private static final long NS = 7;
    @TempDir
    Path proc;
    private Path root;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private PathCallResolution stage;

    @BeforeEach
    void task() throws Exception {
        root = FakeTasks.task(proc, 42, NS);
        Path task = root.getParent();
        Files.createDirectories(root.resolve("etc/cron.d"));
        Files.createDirectories(root.resolve("mnt/x"));
        Files.createDirectories(root.resolve("tmp"));
        Files.createSymbolicLink(root.resolve("tmp/e"), Path.of("/etc"));
        Files.writeString(task.resolve("mountinfo"), """
                26 1 254:0 / / rw - ext4 /dev/vda rw
                50 26 254:0 /etc /mnt/x rw - ext4 /dev/vda rw
                """);
        stage = new PathCallResolution(proc, now::get);
    }

    private static FileEvent call(int pid, FileOp op, String path, String newPath) {
        ProcessInfo p = new ProcessInfo(pid, pid, 41, 0, 0, 0, 0, "rm", "sh", NS, 3, 0, 1, ContainerInfo.HOST);
        return new FileEvent(1L, p, op, op.name().toLowerCase(), path, newPath, 0, -1, -1, -1, 0, false);
    }

    private FileEvent apply(FileEvent e) {
        return (FileEvent) stage.apply(e);
    }

    @Test
    void aBindMountAndASymlinkedDirectoryAreNamedThroughTheRoot() {
        FileEvent rm = apply(call(42, FileOp.UNLINK, "/mnt/x/cron.d/job", ""));
        assertThat(rm.path()).isEqualTo("/etc/cron.d/job");
        assertThat(rm.pathGiven()).isEqualTo("/mnt/x/cron.d/job");
        FileEvent mv = apply(call(42, FileOp.RENAME, "/tmp/e/a", "/mnt/x/b"));
        assertThat(mv.path()).isEqualTo("/etc/a");
        assertThat(mv.newPath()).isEqualTo("/etc/b");
        assertThat(mv.newPathGiven()).isEqualTo("/mnt/x/b");
        // The mount point itself, as a name in its directory, is not the mounted directory.
        assertThat(apply(call(42, FileOp.UNLINK, "/mnt/x", "")).path()).isEqualTo("/mnt/x");
        FileEvent plain = apply(call(42, FileOp.UNLINK, "/etc/cron.d/job", ""));
        assertThat(plain.path()).isEqualTo("/etc/cron.d/job");
        assertThat(plain.pathGiven()).isEmpty();
        assertThat(stage.changed()).isEqualTo(2);
    }

    /**
     * A container (task 52, namespace 9: an overlay root) with the host's /etc bound at /host/etc and the
     * host's / at /host/all; init (the host) on the ext4 root. Its calls there keep their container name
     * and get the host's; its own /etc's get none.
     */
    @Test
    void aContainersCallThroughABindOfAHostDirectoryGetsTheHostPath() throws Exception {
        Files.createDirectories(proc.resolve("1"));
        Files.writeString(proc.resolve("1/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
        Path croot = FakeTasks.task(proc, 52, 9);
        Files.createDirectories(croot.resolve("host/etc/cron.d"));
        Files.createDirectories(croot.resolve("host/all/root"));
        Files.createDirectories(croot.resolve("etc"));
        Files.createDirectories(croot.resolve("tmp"));
        Files.writeString(croot.getParent().resolve("mountinfo"), """
                60 59 0:50 / / rw - overlay overlay rw,upperdir=/var/lib/x/diff
                61 60 254:0 /etc /host/etc rw - ext4 /dev/vda rw
                62 60 254:0 / /host/all rw - ext4 /dev/vda rw
                """);
        ProcessInfo p = new ProcessInfo(52, 52, 51, 0, 0, 0, 0, "rm", "sh", 9, 3, 0, 1, ContainerInfo.HOST);
        FileEvent rm = apply(new FileEvent(1L, p, FileOp.UNLINK, "unlinkat", "/host/etc/cron.d/job", "", 0, -1, -1, -1, 0, false));
        assertThat(rm.path()).isEqualTo("/host/etc/cron.d/job");
        assertThat(rm.hostPath()).isEqualTo("/etc/cron.d/job");
        assertThat(rm.pathGiven()).isEmpty();
        FileEvent mv = apply(new FileEvent(1L, p, FileOp.RENAME, "rename", "/tmp/a", "/host/etc/cron.d/b", 0, -1, -1, -1, 0, false));
        assertThat(mv.hostPath()).isEmpty();
        assertThat(mv.hostNewPath()).isEqualTo("/etc/cron.d/b");
        FileEvent history = apply(new FileEvent(1L, p, FileOp.TRUNCATE, "truncate", "/host/all/root/.bash_history", "", 0, -1,
                -1, -1, 0, false));
        assertThat(history.hostPath()).isEqualTo("/root/.bash_history");
        FileEvent own = apply(new FileEvent(1L, p, FileOp.UNLINK, "unlinkat", "/etc/x", "", 0, -1, -1, -1, 0, false));
        assertThat(own.hostPath()).isEmpty();
        assertThat(stage.hostNamed()).isEqualTo(3);
        // An open named by its text (a denied read: no file), lexically, by the table the calls above kept; one the
        // kernel named by its file is as it came.
        FileEvent denied = apply(new FileEvent(1L, p, FileOp.OPEN, "openat", "/host/etc/shadow", "", 0, -1, -1, -1, -13, false));
        assertThat(denied.hostPath()).isEqualTo("/etc/shadow");
        assertThat(denied.path()).isEqualTo("/host/etc/shadow");
        FileEvent opened = new FileEvent(1L, p, FileOp.OPEN, "openat", "/host/etc/passwd", "", 0, -1, -1, -1, 3, true);
        assertThat(apply(opened)).isSameAs(opened);
        FileEvent ownDenied = new FileEvent(1L, p, FileOp.OPEN, "openat", "/etc/shadow", "", 0, -1, -1, -1, -13, false);
        assertThat(apply(ownDenied)).isSameAs(ownDenied);
        assertThat(stage.hostNamed()).isEqualTo(4);
        // The host's own calls, through its own bind of /etc (task 42's /mnt/x): named through the root, no host path.
        FileEvent host = apply(call(42, FileOp.UNLINK, "/mnt/x/cron.d/job", ""));
        assertThat(host.path()).isEqualTo("/etc/cron.d/job");
        assertThat(host.hostPath()).isEmpty();
        FileEvent hostDenied = call(42, FileOp.OPEN, "/mnt/x/shadow", "");
        assertThat(apply(hostDenied)).isSameAs(hostDenied);
        assertThat(stage.hostNamed()).isEqualTo(4);
    }

    @Test
    void aDotDotRightAfterASymlinkedDirectoryGoesUpFromItsTarget() throws Exception {
        Files.createSymbolicLink(root.resolve("tmp/c"), Path.of("/etc/cron.d"));
        // The decoder's lexical form is /tmp/x; the kernel removed /etc/x.
        FileEvent decoded = new FileEvent(1L, call(42, FileOp.UNLINK, "", "").process(), FileOp.UNLINK, "unlink", "/tmp/x", "",
                0, -1, -1, -1, 0, false, "/tmp/c/../x", "");
        FileEvent rm = apply(decoded);
        assertThat(rm.path()).isEqualTo("/etc/x");
        assertThat(rm.pathGiven()).isEqualTo("/tmp/c/../x");
        // Nothing to resolve: the normalised path stays, with the text.
        FileEvent plain = new FileEvent(1L, rm.process(), FileOp.UNLINK, "unlink", "/etc/x", "", 0, -1, -1, -1, 0, false,
                "/etc/./x", "");
        assertThat(apply(plain)).isSameAs(plain);
    }

    @Test
    void aGoneTaskIsStoodInForByItsParentInTheSameNamespaceOnly() throws Exception {
        FileEvent gone = call(43, FileOp.UNLINK, "/tmp/e/x", "");
        assertThat(apply(gone)).isSameAs(gone);
        assertThat(stage.taskGone()).isEqualTo(1);
        Files.move(proc.resolve("42"), proc.resolve("41"));  // now 43's parent
        assertThat(apply(call(43, FileOp.UNLINK, "/tmp/e/x", "")).path()).isEqualTo("/etc/x");
    }

    /**
     * A `sh -c 'rm ...'` decoded after the shell exited too (CI: a record decoded 3 s late on a
     * loaded host) is walked through init's root when init is in the namespace (the host's), and
     * counted as task_gone when no process is left in it (a container's stand-in: NamespaceStandInsTest).
     */
    @Test
    void aTaskGoneWithItsParentIsStoodInForByInitInItsNamespaceOnly() throws Exception {
        Files.move(proc.resolve("42"), proc.resolve("1"));
        assertThat(apply(call(43, FileOp.UNLINK, "/tmp/e/x", "")).path()).isEqualTo("/etc/x");
        assertThat(stage.taskGone()).isZero();
        assertThat(stage.walks()).isEqualTo(1);
        Files.delete(proc.resolve("1/ns/mnt"));
        Files.createSymbolicLink(proc.resolve("1/ns/mnt"), Path.of("mnt:[" + (NS + 1) + "]"));
        FileEvent elsewhere = call(44, FileOp.UNLINK, "/tmp/e/x", "");
        assertThat(apply(elsewhere)).isSameAs(elsewhere);
        assertThat(stage.taskGone()).isEqualTo(1);
    }

    /** Each way a path call can reach the stage and not be walked is counted (none may pass silently). */
    @Test
    void aPathCallNotWalkedIsCountedWithWhy() throws Exception {
        for (String path : new String[] {"x/y", "//cut/by/the/kernel", ""}) {
            FileEvent unwalkable = call(42, FileOp.UNLINK, path, "");
            assertThat(apply(unwalkable)).as(path).isSameAs(unwalkable);
        }
        assertThat(stage.unwalkable()).isEqualTo(3);
        Files.delete(proc.resolve("42/mountinfo"));
        assertThat(apply(call(42, FileOp.UNLINK, "/tmp/e/x", "")).path()).isEqualTo("/tmp/e/x");
        assertThat(stage.noMountTable()).isEqualTo(1);
        assertThat(stage.walks()).isZero();
        assertThat(stage.errors()).isZero();
        FileEvent opened = call(42, FileOp.OPEN, "x", "");
        assertThat(apply(opened)).as("an open is named by the kernel").isSameAs(opened);
        assertThat(stage.unwalkable()).isEqualTo(3);
    }

    @Test
    void aRememberedDirectoryIsForgottenWhenASymlinkIsMadeOrTimePasses() throws Exception {
        assertThat(apply(call(42, FileOp.UNLINK, "/tmp/e/x", "")).path()).isEqualTo("/etc/x");
        Files.delete(root.resolve("tmp/e"));
        Files.createDirectory(root.resolve("tmp/e"));
        // Within 100 ms and nothing seen that changes a directory: remembered (the walk is skipped).
        assertThat(apply(call(42, FileOp.UNLINK, "/tmp/e/y", "")).path()).isEqualTo("/etc/y");
        now.addAndGet(RecentDirectories.VALID_NANOS);
        assertThat(apply(call(42, FileOp.UNLINK, "/tmp/e/z", "")).path()).isEqualTo("/tmp/e/z");
        Files.delete(root.resolve("tmp/e"));
        Files.createSymbolicLink(root.resolve("tmp/e"), Path.of("/etc"));
        apply(call(42, FileOp.SYMLINK, "/etc", "/tmp/e"));
        assertThat(apply(call(42, FileOp.UNLINK, "/tmp/e/z", "")).path()).isEqualTo("/etc/z");
    }

    @Test
    void aDirectoryWalkedBelowACallsRootServesTheNextTaskWithThatRootOnly() throws Exception {
        // Task 43 has 42's root (a build's next compiler, same namespace and root); 44 a root of its own.
        Path next = Files.createDirectories(proc.resolve("43/ns"));
        Files.createSymbolicLink(next.resolve("mnt"), Path.of("mnt:[" + NS + "]"));
        Files.createSymbolicLink(proc.resolve("43/root"), root);
        Path other = FakeTasks.task(proc, 44, NS);
        Files.createDirectories(other.resolve("tmp/e"));
        TaskRoot shared = TaskRoot.of(proc.resolve("42"));
        assertThat(shared).isEqualTo(TaskRoot.of(proc.resolve("43")));
        assertThat(((FileEvent) stage.apply(call(42, FileOp.UNLINK, "/tmp/e/x", ""), shared)).path()).isEqualTo("/etc/x");
        assertThat(stage.walks()).isEqualTo(1);
        assertThat(((FileEvent) stage.apply(call(43, FileOp.UNLINK, "/tmp/e/y", ""), shared)).path()).isEqualTo("/etc/y");
        assertThat(stage.walks()).as("the same root's directory, remembered").isEqualTo(1);
        assertThat(((FileEvent) stage.apply(call(44, FileOp.UNLINK, "/tmp/e/z", ""), TaskRoot.of(other.getParent()))).path())
                .isEqualTo("/tmp/e/z");
        assertThat(stage.apply(call(44, FileOp.UNLINK, "/tmp/e/w", ""))).isNotNull();
        assertThat(stage.walks()).as("another root, and a call whose root is not known, walk").isEqualTo(3);
        // Known only per task: a walk for a call whose root the kernel did not read serves that task alone.
        stage.apply(call(42, FileOp.UNLINK, "/etc/cron.d/a", ""));
        stage.apply(call(43, FileOp.UNLINK, "/etc/cron.d/b", ""), shared);
        assertThat(stage.walks()).isEqualTo(5);
    }

    /** mount(2), umount2 and the new mount API's calls that attach, clone or change mounts. */
    @ParameterizedTest
    @ValueSource(strings = {"mount", "umount2", "move_mount", "fsmount", "open_tree", "open_tree_attr", "mount_setattr", "pivot_root"})
    void aMountSeenMakesTheTableReadAgain(String call) throws Exception {
        Files.createDirectories(root.resolve("mnt/y"));
        assertThat(apply(call(42, FileOp.MKDIR, "/mnt/y/d", "")).path()).isEqualTo("/mnt/y/d");
        Files.writeString(proc.resolve("42/mountinfo"), """
                26 1 254:0 / / rw - ext4 /dev/vda rw
                51 26 254:0 /etc /mnt/y rw - ext4 /dev/vda rw
                """);
        Event mount = new SyscallEvent(2L, call(42, FileOp.OPEN, "", "").process(), call, 0, Map.of(), Map.of(), 0);
        stage.apply(mount);
        assertThat(apply(call(42, FileOp.MKDIR, "/mnt/y/d", "")).path()).isEqualTo("/etc/d");
        assertThat(stage.mountTableReads()).isEqualTo(2);
    }

    /** move_mount of a mount by its path: the sensor names no source; the table read again does. */
    @Test
    void aMountMovedByItsPathIsNamedByTheMountNowAtItsTarget() throws Exception {
        Files.writeString(proc.resolve("42/mountinfo"), """
                26 1 254:0 / / rw - ext4 /dev/vda rw
                51 26 254:0 /etc /mnt/y rw - ext4 /dev/vda\\0401 rw
                """);
        var p = call(42, FileOp.OPEN, "", "").process();
        Map<String, String> given = Map.of("from", "/mnt/x", "target", "/mnt/y", "source", "", "fstype", "");
        SyscallEvent moved = (SyscallEvent) stage.apply(new SyscallEvent(2L, p, "move_mount", 429, Map.of("flags", 0L), given, 0));
        assertThat(moved.strings()).containsEntry("source", "/dev/vda 1").containsEntry("fstype", "ext4").containsEntry("from", "/mnt/x");
        // Spelled otherwise by the caller (a leading "//" is not among them: the sensor's mark of a path it cut).
        for (String target : new String[] {"/mnt/y/", "/mnt//y", "/mnt/./y/."}) {
            SyscallEvent spelled = (SyscallEvent) stage.apply(new SyscallEvent(2L, p, "move_mount", 429, Map.of("flags", 0L),
                    Map.of("from", "/mnt/x", "target", target, "source", "", "fstype", ""), 0));
            assertThat(spelled.strings()).as(target).containsEntry("source", "/dev/vda 1").containsEntry("fstype", "ext4");
        }
        assertThat(PathCallResolution.lexical("/")).isEqualTo("/");
        assertThat(PathCallResolution.lexical("/./")).isEqualTo("/");
        assertThat(PathCallResolution.lexical("/mnt/y/..")).as("a link before .. is not followed here").isEqualTo("/mnt/y/..");
        SyscallEvent attached = new SyscallEvent(2L, p, "move_mount", 429, Map.of("flags", 4L), given, 0);
        assertThat(stage.apply(attached)).as("a detached mount's fd: the sensor's own reading").isSameAs(attached);
        SyscallEvent elsewhere = new SyscallEvent(2L, p, "move_mount", 429, Map.of("flags", 0L),
                Map.of("from", "/mnt/x", "target", "/mnt/z", "source", ""), 0);
        assertThat(stage.apply(elsewhere)).as("no mount there now").isSameAs(elsewhere);
        SyscallEvent failed = new SyscallEvent(2L, p, "move_mount", 429, Map.of("flags", 0L), given, -1);
        assertThat(stage.apply(failed)).isSameAs(failed);
    }

    /**
     * The process table reads a container root's overlay from the same tables (ProcessEnrichment
     * shares them): read once, not per exec, and read again after a mount call, so a root mounted
     * or moved after the namespace's first exec is never answered from the table before.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mount", "pivot_root", "move_mount"})
    void aMountSeenMakesTheRootOverlaySharedWithTheProcessTableReadAgain(String call) throws Exception {
        MountTables shared = stage.mountTables();
        assertThat(shared.of(NS, 3, proc.resolve("42")).rootUpperDir()).isEmpty();
        Files.writeString(proc.resolve("42/mountinfo"), """
                90 80 0:77 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/var/lib/c/upper,workdir=/var/lib/c/work
                """);
        assertThat(shared.of(NS, 3, proc.resolve("42")).rootUpperDir()).as("no mount seen: the table read before").isEmpty();
        assertThat(stage.mountTableReads()).isEqualTo(1);
        stage.apply(new SyscallEvent(2L, call(42, FileOp.OPEN, "", "").process(), call, 0, Map.of(), Map.of(), 0));
        assertThat(shared.of(NS, 3, proc.resolve("42")).rootUpperDir()).isEqualTo("/var/lib/c/upper");
        // and back: an overlay answer is no more final than a plain one
        Files.writeString(proc.resolve("42/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
        stage.apply(new SyscallEvent(3L, call(42, FileOp.OPEN, "", "").process(), call, 0, Map.of(), Map.of(), 0));
        assertThat(shared.of(NS, 3, proc.resolve("42")).rootUpperDir()).isEmpty();
        assertThat(stage.mountTableReads()).isEqualTo(3);
    }

    @Test
    void aRootTableIsReadAgainWhenASecondOldThoughNoMountWasSeen() throws Exception {
        MountTables shared = stage.mountTables();
        assertThat(shared.of(NS, 3, proc.resolve("42")).rootUpperDir()).isEmpty();
        Files.writeString(proc.resolve("42/mountinfo"), """
                90 80 0:77 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/u\\040p,workdir=/w
                """);
        now.addAndGet(MountTables.MAX_AGE_NANOS - 1);
        assertThat(shared.of(NS, 3, proc.resolve("42")).rootUpperDir()).isEmpty();
        now.addAndGet(1);
        assertThat(shared.of(NS, 3, proc.resolve("42")).rootUpperDir()).isEqualTo("/u p");
    }

    @Test
    void aMountPointNotInUtf8LeavesTheRestOfTheTableReadable() throws Exception {
        byte[] odd = "77 26 0:60 / /mnt/\u00ff rw - tmpfs tmpfs rw\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (var out = Files.newOutputStream(proc.resolve("42/mountinfo"), java.nio.file.StandardOpenOption.APPEND)) {
            out.write(odd);  // a lone 0xff byte: not UTF-8
        }
        assertThat(apply(call(42, FileOp.UNLINK, "/mnt/x/cron.d/job", "")).path()).isEqualTo("/etc/cron.d/job");
    }

    @Test
    void nothingIsWalkedWithoutTheMountTableOrOnARootMountUnsafeToWalk() throws Exception {
        Files.delete(proc.resolve("42/mountinfo"));
        assertThat(apply(call(42, FileOp.UNLINK, "/tmp/e/x", "")).path()).isEqualTo("/tmp/e/x");
        Files.writeString(proc.resolve("42/mountinfo"), "26 1 0:50 / / rw - fuse.fuse-overlayfs fuse-overlayfs rw\n");
        assertThat(apply(call(42, FileOp.UNLINK, "/tmp/e/y", "")).path()).isEqualTo("/tmp/e/y");
        assertThat(stage.mountTableReads()).isEqualTo(2);
    }

    @Test
    void pastItsWalksPerSecondACallKeepsItsTextUntilTheNextSecond() {
        PathCallResolution budgeted = new PathCallResolution(proc, now::get, 2);
        assertThat(((FileEvent) budgeted.apply(call(42, FileOp.UNLINK, "/tmp/e/a/x", ""))).path()).isEqualTo("/etc/a/x");
        assertThat(((FileEvent) budgeted.apply(call(42, FileOp.UNLINK, "/tmp/e/b/x", ""))).path()).isEqualTo("/etc/b/x");
        assertThat(((FileEvent) budgeted.apply(call(42, FileOp.UNLINK, "/tmp/e/c/x", ""))).path()).isEqualTo("/tmp/e/c/x");
        assertThat(((FileEvent) budgeted.apply(call(42, FileOp.UNLINK, "/tmp/e/a/y", ""))).path())
                .as("a directory walked this moment needs no walk").isEqualTo("/etc/a/y");
        assertThat(budgeted.overBudget()).isEqualTo(1);
        now.addAndGet(1_000_000_000L);
        assertThat(((FileEvent) budgeted.apply(call(42, FileOp.UNLINK, "/tmp/e/c/x", ""))).path()).isEqualTo("/etc/c/x");
    }
}
