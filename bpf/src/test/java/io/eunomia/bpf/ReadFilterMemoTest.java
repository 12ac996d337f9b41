package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read filter's memo of unwanted directories (file.bpf.c unwanted_dirs), for real: a directory
 * whose files' reads the filter kept back, and that then becomes watched (moved, mounted, seen from
 * another root, the filter reloaded, removed and made again), must have its next read reported.
 * One child (in a mount namespace of its own, so its mounts go with it) does what it is told line
 * by line; every act is first done once where it is not watched, so the memo holds the directory.
 */
class ReadFilterMemoTest {
    private static final Duration WAIT = Duration.ofSeconds(90); // awaits what an act causes: ends at once when it comes
    private static final int O_ACCMODE = 03;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;

    private static final Path BASE = Path.of("/tmp/eunomia-memo-" + ProcessHandle.current().pid());
    /** Unwatched: its first two names are no read prefix's. */
    private static final Path UNWATCHED = BASE.resolve("u");
    /** A sibling of BASE, so its own first two names differ from UNWATCHED's. */
    private static final Path WATCHED = Path.of(BASE + "-w");
    /** Seen from a chroot at BASE/root: /d/sub. */
    private static final String CHROOT_PREFIX = "/d/sub/";
    /** A file right below /tmp, watched by its own name: its second name is its own. */
    private static final Path WATCHED_FILE = Path.of(BASE + "-file");
    private static final List<String> PREFIXES = List.of(WATCHED + "/", CHROOT_PREFIX, WATCHED_FILE.toString());

    private static ActingChild child;
    private static KernelSensors sensors;
    private static EventCollector events;
    private static int marks;

    @BeforeAll
    static void start() throws IOException {
        ActingChild.deleteTree(BASE);
        ActingChild.deleteTree(WATCHED);
        Files.deleteIfExists(WATCHED_FILE);
        Files.createDirectories(UNWATCHED);
        Files.createDirectories(WATCHED);
        child = ActingChild.start("""
                libc = ctypes.CDLL(None, use_errno=True)
                def mount(src, dst, fs, flags):
                    if libc.mount(src.encode(), dst.encode(), fs.encode() if fs else None, flags, None) != 0:
                        raise OSError(ctypes.get_errno(), 'mount ' + dst)
                """, """
                elif op == 'read':
                    os.close(os.open(a[0], os.O_RDONLY))
                elif op == 'rename':
                    os.rename(a[0], a[1])
                elif op == 'unlink':
                    os.unlink(a[0])
                elif op == 'rmdir':
                    os.rmdir(a[0])
                elif op == 'tmpfs':
                    mount('tmpfs', a[0], 'tmpfs', 0)
                elif op == 'move':
                    mount(a[0], a[1], None, 8192)   # MS_MOVE
                elif op == 'bind':
                    mount(a[0], a[1], None, 4096)   # MS_BIND
                """);
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) child.pid())
                .withReadPrefixes(Optional.of(PREFIXES)));
        events = new EventCollector(sensors, e -> e instanceof FileEvent);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (child != null) {
                child.close(); // its mounts end with its namespace
            }
        } finally {
            if (sensors != null) {
                sensors.close();
            }
            ActingChild.deleteTree(BASE);
            ActingChild.deleteTree(WATCHED);
            Files.deleteIfExists(WATCHED_FILE);
            Files.deleteIfExists(Path.of(BASE + "-unwatched"));
        }
    }

    @Test
    void aDirectoryRenamedIntoAWatchedPlaceHasItsReadsReported() throws Exception {
        Path file = UNWATCHED.resolve("ren/a/b/f");
        make(file);
        assertKeptBack(file);
        // The directory above the file's own moves (the file's directory, dentry and inode, stays the
        // same), by a task the sensor does not watch: this JVM.
        Files.move(UNWATCHED.resolve("ren"), WATCHED.resolve("ren"));
        assertReported(WATCHED.resolve("ren/a/b/f"));
    }

    @Test
    void aDirectoryWhoseOwnOpenWasKeptBackRenamedIntoAWatchedPlaceHasItsReadsReported() throws Exception {
        // An open of a directory (tar, find listing it) remembers the directory itself: its files' opens find it.
        Path dir = UNWATCHED.resolve("dirs/a/b");
        make(dir.resolve("f"));
        assertKeptBack(dir);
        assertKeptBack(dir.resolve("f"));
        Files.move(UNWATCHED.resolve("dirs"), WATCHED.resolve("dirs"));
        assertReported(WATCHED.resolve("dirs/a/b/f"));
        assertReported(WATCHED.resolve("dirs/a/b"));
    }

    @Test
    void aDirectoryRememberedThroughItsParentsSlotRenamedIntoAWatchedPlaceHasItsReadsReported() throws Exception {
        // The open of b finds a's slot (a's own open walked and remembered it) and remembers b as well, without a
        // walk of its own (tar, find): b's slot must go with the rename as a walked one does.
        Path dir = UNWATCHED.resolve("hit/a/b");
        make(dir.resolve("f"));
        assertKeptBack(dir.getParent());
        assertKeptBack(dir);
        assertKeptBack(dir.resolve("f"));
        Files.move(UNWATCHED.resolve("hit"), WATCHED.resolve("hit"));
        assertReported(WATCHED.resolve("hit/a/b/f"));
        assertReported(WATCHED.resolve("hit/a/b"));
    }

    @Test
    void aFileJudgedByItsOwnNameRenamedToAWatchedNameHasItsReadsReported() throws Exception {
        // /tmp/NAME: the second name is the file's own, so the memo holds the file itself.
        Path file = Path.of(BASE + "-unwatched");
        act("write", file.toString());
        assertKeptBack(file);
        act("rename", file.toString(), WATCHED_FILE.toString());
        assertReported(WATCHED_FILE);
    }

    @Test
    void aMountMovedIntoAWatchedPlaceHasItsReadsReported() throws Exception {
        Path mountPoint = tmpfsReadOnce(UNWATCHED.resolve("mv"));
        act("mkdir", WATCHED.resolve("mv").toString());
        // The same mount, dentries and inodes: only the mount's place changed.
        act("move", mountPoint.toString(), WATCHED.resolve("mv").toString());
        assertReported(WATCHED.resolve("mv/d/f"));
    }

    @Test
    void aDirectoryBoundOntoAWatchedPlaceHasItsReadsReportedThere() throws Exception {
        // On a file system of its own: a bind of the root's file system is reported by its path through the root.
        Path mountPoint = tmpfsReadOnce(UNWATCHED.resolve("bd"));
        act("mkdir", WATCHED.resolve("bd").toString());
        act("bind", mountPoint.resolve("d").toString(), WATCHED.resolve("bd").toString());
        assertReported(WATCHED.resolve("bd/f"));
        assertKeptBack(mountPoint.resolve("d/f"));
    }

    @Test
    void aDirectorySeenFromAnotherRootIsJudgedByItsPathThere() throws Exception {
        Path root = BASE.resolve("root");
        Path file = root.resolve("d/sub/f");
        make(file);
        assertKeptBack(file);
        act("chroot", root.toString());
        try {
            assertReported(Path.of("/d/sub/f"), Path.of("/mark"));
        } finally {
            act("unchroot");
        }
    }

    @Test
    void aReloadThatWatchesADirectoryHasItsReadsReported() throws Exception {
        Path file = UNWATCHED.resolve("rl/d/f");
        make(file);
        assertKeptBack(file);
        try {
            List<String> wider = new java.util.ArrayList<>(PREFIXES);
            wider.add(UNWATCHED.resolve("rl") + "/");
            sensors.updateReadPrefixes(Optional.of(wider));
            assertReported(file);
        } finally {
            sensors.updateReadPrefixes(Optional.of(PREFIXES));
        }
    }

    @Test
    void aDirectoryRemovedAndMadeAgainInAWatchedPlaceHasItsReadsReported() throws Exception {
        // The new directory may get the freed dentry's address, and on ext4 the freed inode number.
        Path dir = UNWATCHED.resolve("rm/d");
        make(dir.resolve("f"));
        assertKeptBack(dir.resolve("f"));
        act("unlink", dir.resolve("f").toString());
        act("rmdir", dir.toString());
        make(WATCHED.resolve("rm/d/f"));
        assertReported(WATCHED.resolve("rm/d/f"));
    }

    /** Mounts a tmpfs (the child's own) on a new directory, with d/f in it read where it is not watched. */
    private static Path tmpfsReadOnce(Path mountPoint) throws Exception {
        act("mkdir", mountPoint.toString());
        act("tmpfs", mountPoint.toString());
        make(mountPoint.resolve("d/f"));
        assertKeptBack(mountPoint.resolve("d/f"));
        return mountPoint;
    }

    /** Creates the file (a write, reported) and its directories. */
    private static void make(Path file) throws Exception {
        act("mkdir", file.getParent().toString());
        act("write", file.toString());
    }

    /** Reads the file twice (the first fills the memo, the second finds it); neither read is reported. */
    private static void assertKeptBack(Path file) throws Exception {
        assertThat(readsReported(file, marker(WATCHED))).as("reads of " + file).isZero();
    }

    private static void assertReported(Path file) throws Exception {
        assertReported(file, marker(WATCHED));
    }

    private static void assertReported(Path file, Path mark) throws Exception {
        assertThat(readsReported(file, mark)).as("reads of " + file).isEqualTo(2);
    }

    private static Path marker(Path dir) {
        return dir.resolve("mark" + ++marks);
    }

    /** Reads the file twice, then writes mark (always reported) and counts the reads reported before it. */
    private static long readsReported(Path file, Path mark) throws Exception {
        var before = events.mark();
        act("read", file.toString());
        act("read", file.toString());
        act("write", mark.toString());
        long pid = child.pid();
        events.await(before, FileEvent.class, e -> e.process().pid() == pid && e.op() == FileOp.OPEN
                && e.path().equals(mark.toString()), WAIT);
        return events.since(before).stream()
                .filter(e -> e instanceof FileEvent f && f.process().pid() == pid && f.op() == FileOp.OPEN
                        && (f.flags() & (O_ACCMODE | O_CREAT | O_TRUNC)) == 0 && f.path().equals(file.toString()))
                .count();
    }

    private static void act(String... words) throws IOException {
        child.act(words);
    }
}
