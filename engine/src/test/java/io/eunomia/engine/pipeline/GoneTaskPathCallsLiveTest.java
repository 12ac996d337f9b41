package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.metrics.SensorMetrics;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.testkit.BtrfsVolume;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A container's path call decoded after its task and the task's parent are gone (issue 16): the
 * sensor poller is held (a subscriber of its own blocks on it) while a one-shot `sh -c` runs to its
 * end through `runc exec` / `podman exec` (the parent of the exec'd shell is the runtime's process,
 * outside the container's mount namespace), so the records are decoded once every process of the
 * act is gone. The call's text is walked through a live process of the container's namespace (its
 * init): `cd /tmp && rm e/F` with the container's /tmp/e → /etc is `/etc/F` and raises `Write below
 * system directory`, as `cd /etc && rm G` does (the kernel made that text absolute with the cwd at the
 * call: it never needed the task). Before the stand-in, the first was left as /tmp/e/F (task_gone):
 * no alert. A container that exited before its calls were decoded has no process to walk through:
 * its text stays as the container gave it (never named through the host's tree, where the same
 * /tmp path leads elsewhere) and the call is counted in eunomia_path_walks_skipped_total{reason=task_gone}.
 */
class GoneTaskPathCallsLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(120);  // awaits what an act causes; ends when it comes
    private static final String WRITE = "Write below system directory";
    private static final AtomicInteger HOLDS = new AtomicInteger();

    private static Path work;
    private static Monitor monitor;
    private static InMemoryOutput out;
    private static ShadowBox box;
    private static Podman podman;
    private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory(Path.of("/tmp"), "eunomia-ctrgone-");
        podman = Podman.start("localhost/eunomia-busybox:ctrgone");
        out = new InMemoryOutput();
        // A 64 MiB ring: the poller is held while each act runs, and on a busy host (builds beside the
        // suite) the host's file records filled the default 4 MiB then and lost the act's own.
        monitor = Monitor.start(new RuleLoader(List.of(), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withRingBufferBytes(64 << 20));
        new SensorMetrics(monitor.sensors()).bindTo(registry);
        box = ShadowBox.start("ctrgone", c -> { }, List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (monitor != null) {
            monitor.close();
        }
        ShadowBox.close(box);
        if (podman != null) {
            podman.close();
        }
        if (work != null) {
            LiveProcesses.deleteTree(work);
        }
    }

    @Test
    void aRuncExecsShellGoneBeforeDecodeIsWalkedInTheContainer() throws Exception {
        String f = "ctrgone-runc-" + ProcessHandle.current().pid();
        Ran prep = box.exec("sh", "-c", "ln -s /etc /tmp/e && touch /etc/" + f + ".a");
        assertThat(prep.exit()).as(prep.output()).isZero();
        double standInsBefore = standIns();
        Recorder.Mark mark = out.mark();
        whilePollerHeld(() -> {
            Ran r = box.exec("sh", "-c", "cd /tmp && rm e/" + f + ".a && cd /etc && touch " + f + ".b && rm " + f + ".b");
            assertThat(r.exit()).as(r.output()).isZero();
        });
        // The proof that THIS call was walked through a stand-in: its task and parent were gone at the
        // decode, and only a walk in the container's tree turns its /tmp/e/F into /etc/F.
        Alert viaLink = awaitUnlink(mark, "/etc/" + f + ".a", box.id());
        assertThat(((FileEvent) viaLink.event()).pathGiven()).isEqualTo("/tmp/e/" + f + ".a");
        Alert direct = awaitUnlink(mark, "/etc/" + f + ".b", box.id());
        assertThat(((FileEvent) direct.event()).pathGiven()).as("absolute at the call").isEmpty();
        // Secondary: a host-wide counter, which other processes' calls can raise too.
        assertThat(standIns()).as("walked through the container's init").isGreaterThan(standInsBefore);
    }

    @Test
    void aPodmanExecsShellGoneBeforeDecodeIsWalkedInTheContainer() throws Exception {
        String f = "ctrgone-podman-" + ProcessHandle.current().pid();
        try (EngineContainer c = podman.start(OciRuntime.uniqueId("ctrgone"), Map.of(), List.of("sleep", "300"))) {
            podmanExec(c, "ln -s /etc /tmp/e && touch /etc/" + f);
            Recorder.Mark mark = out.mark();
            whilePollerHeld(() -> podmanExec(c, "cd /tmp && rm e/" + f));
            Alert a = awaitUnlink(mark, "/etc/" + f, c.id());
            assertThat(((FileEvent) a.event()).pathGiven()).isEqualTo("/tmp/e/" + f);
        }
    }

    /**
     * Every process of the namespace gone before its calls are decoded (a runc container of one
     * shell): nothing has its root or mounts any more. The host's /tmp/NAME leads to a directory of
     * the test's: a walk in the host's tree would name that, not the container's text.
     */
    @Test
    void aContainerGoneBeforeDecodeKeepsItsTextAndIsCounted() throws Exception {
        String name = "eunomia-ctrgone-" + ProcessHandle.current().pid();
        Path decoy = Files.createDirectory(work.resolve("decoy"));
        Path onHost = Files.createSymbolicLink(Path.of("/tmp", name), decoy);
        String given = "/tmp/" + name + "/gone";
        try {
            CompletableFuture<FileEvent> rm = new CompletableFuture<>();
            var sub = monitor.sensors().subscribe(e -> e instanceof FileEvent fe && fe.op() == FileOp.UNLINK
                    && (fe.path().equals(given) || fe.pathGiven().equals(given) || fe.path().equals(decoy + "/gone")),
                    e -> rm.complete((FileEvent) e));
            double gone = taskGone();
            try {
                whilePollerHeld(() -> {
                    Result r = box.runc().run(OciRuntime.uniqueId("ctrgone-once"), ContainerSpec.of("sh", "-c",
                            "ln -s /etc /tmp/" + name + " && touch /etc/gone && cd /tmp && rm " + name + "/gone"), WAIT);
                    assertThat(r.exitCode()).as(r.stderr()).isZero();
                });
                FileEvent e;
                try {
                    e = rm.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException t) {
                    throw new AssertionError("no unlink of " + given + " in " + WAIT + "; " + lost(), t);
                }
                // The proof for THIS call: its text as the container gave it, not the host tree's decoy.
                assertThat(e.path()).as("the container's text, not the host's tree: " + e).isEqualTo(given);
                assertThat(e.process().container().isHost()).as(e.toString()).isFalse();
                // Secondary: a host-wide counter, which other processes' calls can raise too.
                assertThat(taskGone()).as("counted as task_gone").isGreaterThan(gone);
            } finally {
                sub.close();
            }
        } finally {
            Files.deleteIfExists(onHost);
        }
    }

    /**
     * A chroot inside a container (its namespace's init has the container's root, the chrooted shell
     * another): `chroot /x sh -c 'cd /tmp && rm e/F'` through `runc exec`, decoded once every process
     * of it is gone. The chroot's /tmp/e → /etc, the container's own /tmp/e → /tmp/decoy: only a walk
     * in the chroot's tree (through a process still living in it) names /etc/F and raises `Write below
     * system directory`. Failed on the code before the task's root was checked (the container's init
     * stood in: /tmp/decoy/F, no alert).
     */
    @Test
    void aChrootedShellGoneBeforeDecodeIsWalkedInItsChrootInTheContainer() throws Exception {
        String f = "ctrchroot-" + ProcessHandle.current().pid();
        try (ShadowBox chrooting = ShadowBox.start("ctrchroot", c -> { }, List.of("CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"))) {
            Ran prep = chrooting.exec("sh", "-c", "mkdir -p /x/bin /x/etc /x/tmp /tmp/decoy && cp /bin/busybox /x/bin/busybox"
                    + " && for a in sh rm sleep; do ln -s busybox /x/bin/$a; done && ln -s /etc /x/tmp/e && ln -s /tmp/decoy /tmp/e"
                    + " && touch /x/etc/" + f + " /tmp/decoy/" + f
                    // a process living in the chroot: the one a gone task of it can be walked through
                    + " && (chroot /x sleep 300 </dev/null >/dev/null 2>&1 &)");
            assertThat(prep.exit()).as(prep.output()).isZero();
            Unlinked u = unlinkWhilePollerHeld(f, () -> {
                Ran r = chrooting.exec("sh", "-c", "chroot /x sh -c 'cd /tmp && rm e/" + f + "'");
                assertThat(r.exit()).as(r.output()).isZero();
            });
            FileEvent e = u.event();
            assertThat(e.path()).as("walked in the chroot's tree, not the container's: " + e).isEqualTo("/etc/" + f);
            assertThat(e.pathGiven()).isEqualTo("/tmp/e/" + f);
            Alert a = awaitUnlink(u.mark(), "/etc/" + f, chrooting.id());
            assertThat(((FileEvent) a.event()).pathGiven()).isEqualTo("/tmp/e/" + f);
        }
    }

    /**
     * The same on the host: `chroot DIR sh -c 'cd /tmp && rm NAME/F'` run by the test, decoded after
     * it ended. DIR's /tmp/NAME → /etc, the host's /tmp/NAME → a decoy directory: the host's init (or
     * the shell's live parent, this JVM) would name the decoy; a process living in DIR names /etc/F.
     * Failed on the code before the task's root was checked (decoy named, no alert).
     */
    @Test
    void aChrootedHostShellGoneBeforeDecodeIsWalkedInItsChroot() throws Exception {
        chrootedHostShellGoneBeforeDecode(Files.createDirectories(work.resolve("chroot")), "hostchroot-");
    }

    /**
     * The same with the chroot in a btrfs subvolume (a file system made by the test on a loop device):
     * statx reports a subvolume's anonymous device, not the superblock's s_dev, and every subvolume's
     * root is inode 256, so roots are told apart by mount id and inode. Failed when the kernel's
     * s_dev was compared with statx's stx_dev (no root matched: the text kept, counted other_root).
     */
    @Test
    void aChrootedHostShellGoneBeforeDecodeIsWalkedInItsChrootInABtrfsSubvolume() throws Exception {
        try (BtrfsVolume btrfs = BtrfsVolume.make(work.resolve("btrfs"))) {
            Path sub = btrfs.subvolume("chroot");
            chrootedHostShellGoneBeforeDecode(Files.createDirectories(sub.resolve("tree")), "btrfschroot-");
        }
    }

    /** Until the keeper has made its chroot (a loaded host can run the rm first: then no live task has that root). */
    private static void awaitRoot(Process keeper, Path tree) throws Exception {
        Path root = Path.of("/proc", Long.toString(keeper.pid()), "root");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readSymbolicLink(root).equals(tree.toRealPath())) {
            assertThat(keeper.isAlive()).as("the chroot keeper ended").isTrue();
            assertThat(System.nanoTime()).as("the keeper's chroot into " + tree + " within 30 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void chrootedHostShellGoneBeforeDecode(Path tree, String prefix) throws Exception {
        String name = "eunomia-chroot-" + ProcessHandle.current().pid();
        String f = prefix + ProcessHandle.current().pid();
        for (String d : List.of("bin", "etc", "tmp")) {
            Files.createDirectories(tree.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), tree.resolve("bin/busybox"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : List.of("sh", "rm", "sleep")) {
            Files.createSymbolicLink(tree.resolve("bin/" + applet), Path.of("busybox"));
        }
        Files.createSymbolicLink(tree.resolve("tmp/" + name), Path.of("/etc"));
        Files.writeString(tree.resolve("etc/" + f), "");
        Path decoy = Files.createDirectories(work.resolve("host-decoy-" + prefix));
        Files.writeString(decoy.resolve(f), "");
        Path onHost = Files.createSymbolicLink(Path.of("/tmp", name), decoy);
        // A process living in the chroot: the one a gone task of it can be walked through.
        Process keeper = new ProcessBuilder("chroot", tree.toString(), "sleep", "300")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitRoot(keeper, tree);
            Unlinked u = unlinkWhilePollerHeld(f, () -> {
                Ran r = LiveProcesses.runToEnd(List.of("chroot", tree.toString(), "sh", "-c", "cd /tmp && rm " + name + "/" + f));
                assertThat(r.exit()).as(r.output()).isZero();
            });
            FileEvent e = u.event();
            assertThat(e.path()).as("walked in the chroot's tree, not the host's: " + e).isEqualTo("/etc/" + f);
            assertThat(e.pathGiven()).isEqualTo("/tmp/" + name + "/" + f);
            assertThat(e.process().container().isHost()).as(e.toString()).isTrue();
            try {
                out.awaitAfter(u.mark(), WRITE, a -> a.output().contains("op=unlink file=/etc/" + f + " "), WAIT);
            } catch (AssertionError x) {
                throw new AssertionError("no '" + WRITE + "' for /etc/" + f + "; alerts since:\n" + out.describe(u.mark()), x);
            }
        } finally {
            keeper.destroyForcibly();
            keeper.waitFor();
            Files.deleteIfExists(onHost);
        }
    }

    /** An unlink decoded after the act's processes ended, and the alerts' mark taken before it. */
    private record Unlinked(FileEvent event, Recorder.Mark mark) {}

    /** The first unlink of a file named file (whatever tree it was walked in) by act, run while the poller is held. */
    private static Unlinked unlinkWhilePollerHeld(String file, PollerHold.Act act) throws Exception {
        CompletableFuture<FileEvent> rm = new CompletableFuture<>();
        var sub = monitor.sensors().subscribe(e -> e instanceof FileEvent fe && fe.op() == FileOp.UNLINK
                && fe.path().endsWith("/" + file), e -> rm.complete((FileEvent) e));
        try {
            Recorder.Mark mark = out.mark();
            whilePollerHeld(act);
            try {
                return new Unlinked(rm.get(WAIT.toSeconds(), TimeUnit.SECONDS), mark);
            } catch (java.util.concurrent.TimeoutException t) {
                throw new AssertionError("no unlink of " + file + " in " + WAIT + "; " + lost(), t);
            }
        } finally {
            sub.close();
        }
    }

    /**
     * Runs act while the sensor poller is held (PollerHold) from the decode of an unlink of a marker
     * file by an rm of the test's, so the act's records are decoded after every process of it ended.
     */
    private static void whilePollerHeld(PollerHold.Act act) throws Exception {
        Path marker = work.resolve("hold-" + HOLDS.incrementAndGet());
        Files.writeString(marker, "");
        PollerHold.whileHeld(monitor.sensors(), WAIT, e -> e instanceof FileEvent fe && fe.op() == FileOp.UNLINK
                && fe.path().equals(marker.toString()), List.of("rm", marker.toString()), act);
    }

    private static Alert awaitUnlink(Recorder.Mark mark, String path, String containerId) throws InterruptedException {
        try {
            return out.awaitAfter(mark, WRITE, a -> a.output().contains("op=unlink file=" + path + " ")
                    && a.container().id().equals(containerId), WAIT);
        } catch (AssertionError e) {
            throw new AssertionError("no '" + WRITE + "' for " + path + " in " + containerId + "; alerts since:\n"
                    + out.describe(mark) + "\npath walks: " + monitor.sensors().pathResolutionStats() + "\n" + lost(), e);
        }
    }

    /**
     * The monitor watches the whole host: while the poller is held, the ring fills with every other
     * process's records (other tests on this machine), and a lost record explains a missing alert.
     */
    private static String lost() {
        return "records lost in the kernel by sensor: " + monitor.sensors().lostBySensor();
    }

    private static void podmanExec(EngineContainer c, String script) {
        List<String> cmd = new ArrayList<>(List.of("exec", c.id(), "sh", "-c", script));
        Result r = podman.cli(cmd, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(script + ": " + r.stderr()).isZero();
    }

    private static double taskGone() {
        return registry.get("eunomia.path.walks.skipped").tag("reason", "task_gone").functionCounter().count();
    }

    private static double standIns() {
        return registry.get("eunomia.path.walks.stand.in").functionCounter().count();
    }
}
