package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The miss filter (file.bpf.c miss_prefixes), for real: a read-only open of a missing file is kept
 * in the kernel unless its path, as written and made absolute, lies below a miss prefix; a working
 * directory whose missing names were kept back and that then becomes watched (its parent renamed
 * into a watched tree, a reload adding a prefix over it or below it, seen from another root) must
 * have its next missing name reported (the cases any memo of judged directories must keep). The
 * kernel judges a relative name by its directory's first two names when it can (miss_tops): a name
 * relative to a directory descriptor by that directory, a working directory one name below the root
 * by the name too. One child (in a mount namespace of its own) does what it is told line by line;
 * every probe is done twice.
 */
class MissFilterTest {
    private static final Duration WAIT = Duration.ofSeconds(90); // awaits what an act causes: ends at once when it comes
    private static final int ENOENT = 2;

    private static final Path BASE = Path.of("/tmp/eunomia-miss-" + ProcessHandle.current().pid());
    private static final Path UNWATCHED = BASE.resolve("u");
    private static final Path WATCHED = Path.of(BASE + "-w");
    /** Seen from a chroot at BASE/root: /d/sub. */
    private static final String CHROOT_PREFIX = "/d/sub/";
    private static final List<String> PREFIXES = List.of(WATCHED + "/", CHROOT_PREFIX);

    private static ActingChild child;
    private static KernelSensors sensors;
    private static EventCollector events;
    private static int marks;

    @BeforeAll
    static void start() throws IOException {
        ActingChild.deleteTree(BASE);
        ActingChild.deleteTree(WATCHED);
        Files.createDirectories(UNWATCHED);
        Files.createDirectories(WATCHED);
        child = ActingChild.start("", """
                elif op == 'probe':
                    # probe NAME [DIR]: relative to DIR's descriptor when given
                    dfd = os.open(a[1], os.O_RDONLY | os.O_DIRECTORY) if len(a) > 1 else None
                    try:
                        os.close(os.open(a[0], os.O_RDONLY, dir_fd=dfd))
                        print('error probe: exists', flush=True)
                        continue
                    except FileNotFoundError:
                        pass
                    finally:
                        if dfd is not None:
                            os.close(dfd)
                elif op == 'chdir':
                    os.chdir(a[0])
                """);
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) child.pid())
                .withMissPrefixes(Optional.of(PREFIXES)));
        events = new EventCollector(sensors, e -> e instanceof FileEvent);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (child != null) {
                child.close();
            }
        } finally {
            if (sensors != null) {
                sensors.close();
            }
            ActingChild.deleteTree(BASE);
            ActingChild.deleteTree(WATCHED);
        }
    }

    @Test
    void missingNamesAreReportedOnlyBelowAMissPrefix() throws Exception {
        long before = sensors.missesFiltered();
        Path cold = UNWATCHED.resolve("plain");
        act("mkdir", cold.toString());
        act("chdir", cold.toString());
        assertKeptBack("nothere", cold.resolve("nothere"));
        assertKeptBack("a/b/nothere", cold.resolve("a/b/nothere"));
        assertKeptBack(cold.resolve("abs").toString(), cold.resolve("abs"));
        assertReported(WATCHED.resolve("abs").toString(), WATCHED.resolve("abs"));
        // Judged only once normalised: reported by the kernel, whatever its directory.
        assertThat(probesReported("../../../" + WATCHED.getFileName() + "/dots", WATCHED.resolve("dots")))
                .as("a name with '..' into the watched tree").isEqualTo(2);
        act("chdir", WATCHED.toString());
        assertReported("nothere", WATCHED.resolve("nothere"));
        assertThat(sensors.missesFiltered() - before).as("opens of missing files kept in the kernel").isGreaterThanOrEqualTo(6);
    }

    @Test
    void aWorkingDirectoryWhoseParentIsRenamedIntoAWatchedTreeHasItsMissesReported() throws Exception {
        Path dir = UNWATCHED.resolve("ren/a/b");
        act("mkdir", dir.toString());
        act("chdir", dir.toString());
        assertKeptBack("nothere", dir.resolve("nothere"));
        // The directory above the working directory moves (the cwd's own dentry and inode stay the
        // same), by a task the sensor does not watch: this JVM.
        Files.move(UNWATCHED.resolve("ren"), WATCHED.resolve("ren"));
        assertReported("nothere", WATCHED.resolve("ren/a/b/nothere"));
    }

    @Test
    void aReloadThatWatchesTheWorkingDirectoryHasItsMissesReported() throws Exception {
        Path dir = UNWATCHED.resolve("rl/d");
        act("mkdir", dir.toString());
        act("chdir", dir.toString());
        assertKeptBack("nothere", dir.resolve("nothere"));
        try {
            sensors.updateMissPrefixes(Optional.of(with(UNWATCHED.resolve("rl") + "/")));
            assertReported("nothere", dir.resolve("nothere"));
        } finally {
            sensors.updateMissPrefixes(Optional.of(PREFIXES));
        }
    }

    @Test
    void aReloadThatWatchesAFileBelowTheWorkingDirectoryHasItsMissReported() throws Exception {
        Path dir = UNWATCHED.resolve("below");
        act("mkdir", dir.toString());
        act("chdir", dir.toString());
        assertKeptBack("sub/secret", dir.resolve("sub/secret"));
        try {
            sensors.updateMissPrefixes(Optional.of(with(dir.resolve("sub/secret").toString())));
            assertReported("sub/secret", dir.resolve("sub/secret"));
            assertKeptBack("sub/other", dir.resolve("sub/other"));
            assertKeptBack("other", dir.resolve("other"));
        } finally {
            sensors.updateMissPrefixes(Optional.of(PREFIXES));
        }
    }

    @Test
    void aWorkingDirectorySeenFromAnotherRootIsJudgedByItsPathThere() throws Exception {
        Path dir = BASE.resolve("root/d/sub");
        act("mkdir", dir.toString());
        act("chdir", dir.toString());
        assertKeptBack("nothere", dir.resolve("nothere"));
        act("chroot", BASE.resolve("root").toString());
        try {
            act("chdir", "/d/sub");
            assertThat(probesReported("nothere", Path.of("/d/sub/nothere"), Path.of("/mark"))).isEqualTo(2);
        } finally {
            act("unchroot");
        }
    }

    @Test
    void aNameRelativeToADirectoryDescriptorIsJudgedByThatDirectory() throws Exception {
        Path cold = UNWATCHED.resolve("at");
        act("mkdir", cold.toString());
        act("chdir", WATCHED.toString());
        assertThat(probesReported("nothere", cold.toString(), cold.resolve("nothere")))
                .as("a missing name below an unwatched directory's descriptor, from a watched working directory").isZero();
        act("chdir", cold.toString());
        assertKeptBack("nothere", cold.resolve("nothere"));
        assertThat(probesReported("nothere", WATCHED.toString(), WATCHED.resolve("nothere")))
                .as("a missing name below a watched directory's descriptor, from a working directory kept back").isEqualTo(2);
    }

    @Test
    void aWorkingDirectoryOneNameBelowTheRootIsJudgedWithTheName() throws Exception {
        Path top = BASE.getParent();  // /tmp: its first name alone says nothing of the path
        act("chdir", top.toString());
        assertReported(WATCHED.getFileName() + "/nothere", WATCHED.resolve("nothere"));
        assertKeptBack(BASE.getFileName() + "/nothere", BASE.resolve("nothere"));
        assertReported(WATCHED.getFileName() + "/again", WATCHED.resolve("again"));
    }

    private static List<String> with(String prefix) {
        List<String> wider = new ArrayList<>(PREFIXES);
        wider.add(prefix);
        return wider;
    }

    /** Probes the name twice; neither is reported. */
    private static void assertKeptBack(String name, Path path) throws Exception {
        assertThat(probesReported(name, path)).as("opens of missing " + name + " (" + path + ")").isZero();
    }

    private static void assertReported(String name, Path path) throws Exception {
        assertThat(probesReported(name, path)).as("opens of missing " + name + " (" + path + ")").isEqualTo(2);
    }

    private static long probesReported(String name, Path path) throws Exception {
        return probesReported(name, path, WATCHED.resolve("mark" + ++marks));
    }

    private static long probesReported(String name, Path path, Path mark) throws Exception {
        return probesReported(name, null, path, mark);
    }

    /** probesReported for a name relative to dir's descriptor. */
    private static long probesReported(String name, String dir, Path path) throws Exception {
        return probesReported(name, dir, path, WATCHED.resolve("mark" + ++marks));
    }

    /**
     * Opens the missing name twice (relative to dir's descriptor, or the working directory when dir is
     * null), then writes mark (always reported) and counts the opens of path reported before it.
     */
    private static long probesReported(String name, String dir, Path path, Path mark) throws Exception {
        var before = events.mark();
        String[] probe = dir == null ? new String[] {"probe", name} : new String[] {"probe", name, dir};
        act(probe);
        act(probe);
        act("write", mark.toString());
        long pid = child.pid();
        events.await(before, FileEvent.class, e -> e.process().pid() == pid && e.op() == FileOp.OPEN
                && e.path().equals(mark.toString()), WAIT);
        return events.since(before).stream()
                .filter(e -> e instanceof FileEvent f && f.process().pid() == pid && f.op() == FileOp.OPEN
                        && f.result() == -ENOENT && f.path().equals(path.toString()))
                .count();
    }

    private static void act(String... words) throws IOException {
        child.act(words);
    }
}
