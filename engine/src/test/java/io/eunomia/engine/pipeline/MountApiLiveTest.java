package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.FileEvent;
import io.eunomia.event.SyscallEvent;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.EvasionProbe;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The new mount API (fsopen/fsconfig/fsmount/move_mount, open_tree + move_mount, mount_setattr) does
 * what mount(2) does: a real program built here with gcc that makes its mounts through those calls
 * only, in a real runc container with CAP_SYS_ADMIN, raises the alert mount(2) raises, with the same
 * fields (what was mounted, where, which file system); on the host it raises no container alert.
 * And a bind mount made that way is seen by the next path resolution (the mount tables are read
 * again after it, as after mount(2)).
 */
@SharesLiveMonitor(SharedLiveMonitor.Configuration.DEFAULT_PACK_AND_PROBES)
class MountApiLiveTest {
    // One overall deadline of minutes for what an act causes (ends at once when it comes): a monitor
    // that sees every process of a machine loaded by other builds can lag its events by a minute.
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String MOUNT_RULE = "Mount or namespace change in container";
    private static final String HOST_RULE = "Test mount API call on host";
    private static final String CHMOD_RULE = "Test chmod below etc";
    private static final String FLAGS_RULE = "Test flags by name";

    /**
     * Test rules (in the shared monitor with LiveProcesses.CHMOD_BELOW_ETC_RULE): they show the host's
     * acts were seen, so "no container alert" means something.
     */
    static final String PROBE_RULES = """
            - rule: Test mount API call on host
              desc: a new mount API call by a host process
              condition: evt.type in (fsopen, move_mount, open_tree, mount_setattr) and not in_a_container
              output: "host mount API call (call=%evt.type source=%syscall.str.source target=%syscall.str.target fstype=%syscall.str.fstype)"
              priority: NOTICE
            - rule: Test fsconfig source
              desc: the source a new file system context is given (no default rule judges fsconfig)
              condition: evt.type = fsconfig and syscall.str.key = source
              output: "fsconfig source (source=%syscall.str.source in_container=%container.id)"
              priority: NOTICE
            - rule: Test flags by name
              desc: unshare's and open_tree's flags searched by their uapi names
              condition: >
                (evt.type = unshare and evt.arg.flags contains CLONE_NEWNS)
                or (evt.type = open_tree and evt.arg.flags contains OPEN_TREE_CLONE)
              output: "flags by name (call=%evt.type cmdline=%proc.cmdline)"
              priority: NOTICE
            - rule: Test mount API call by runtime
              desc: a new mount API call made by a container runtime setting a container up
              condition: evt.type in (mount_api_calls) and container_runtime_setup
              output: "runtime mount API call (call=%evt.type target=%syscall.str.target)"
              priority: NOTICE
            """;

    @RegisterExtension
    static final MountApiLive rig = new MountApiLive("eunomia-mountapi-",
            () -> LiveMonitor.sharedWithProbeRules(MountApiLiveTest.class, WAIT));

    @Test
    void mountsThroughTheNewApiInAPrivilegedContainerRaiseTheMountAlert() throws Exception {
        Path gate = Files.createDirectories(rig.work().resolve("gate-" + System.nanoTime()));
        try (Runc runc = new Runc()) {
            String id = OciRuntime.uniqueId("mountapi");
            // The container stays until its alerts are in: move_mount's fields come from its mount table,
            // read after the call; a container gone by then (a lagging monitor) leaves them unknown.
            ContainerSpec priv = ContainerSpec.of("sh", "-c", String.join(" && ",
                    "mkdir -p /mnt",
                    "/mountapi tmpfs /mnt",
                    "mkdir /mnt/b /mnt/c",
                    "/mountapi bind /etc /mnt/b",
                    "/mountapi ro /mnt/b",
                    "/mountapi rw /mnt/b",
                    "mkdir /mnt/d",
                    "/mountapi move /mnt/b /mnt/d",
                    "mount -t tmpfs direct /mnt/c",  // the direct way, for the comparison
                    "while [ ! -e /gate/go ]; do sleep 0.1; done")).withConfigEdit(c -> {
                        LiveProcesses.addCapabilities(c, "CAP_SYS_ADMIN");
                        LiveProcesses.bindReadOnly(c, rig.mountapi(), "/mountapi");
                        LiveProcesses.bindReadOnly(c, gate, "/gate");
                    });
            CompletableFuture<Result> run = CompletableFuture.supplyAsync(() -> runc.run(id, priv, WAIT));
            AssertionError missing = null;
            try {
                containerMountsRaiseTheMountAlert(id);
            } catch (AssertionError e) {
                missing = e;
            } finally {
                Files.writeString(gate.resolve("go"), "");
            }
            Result r = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (missing != null) {  // say what the container did
                throw new AssertionError("the container ended with " + r.exitCode() + ": " + r.stdout() + r.stderr(), missing);
            }
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        } finally {
            LiveProcesses.deleteTree(gate);
        }
    }

    private void containerMountsRaiseTheMountAlert(String id) throws Exception {
        Predicate<Alert> in = a -> a.container().id().equals(id);
        String direct = await(in.and(a -> a.output().contains("call=mount "))).output();
        assertThat(direct).contains("source=direct", "target=/mnt/c", "fstype=tmpfs", "result=SUCCESS");
        // A new tmpfs: fsopen names the type; move_mount what it attached (read from the mount) and where.
        assertThat(await(in.and(a -> a.output().contains("call=fsopen "))).output()).contains("fstype=tmpfs");
        assertThat(await(in.and(a -> a.output().contains("call=move_mount ") && a.output().contains("target=/mnt ")))
                .output()).contains("source=eunomia-mountapi", "fstype=tmpfs", "result=SUCCESS");
        // A bind: open_tree clones /etc, move_mount attaches the clone (the device /etc is on).
        assertThat(await(in.and(a -> a.output().contains("call=open_tree "))).output())
                .contains("source=/etc", "result=SUCCESS");
        String bind = await(in.and(a -> a.output().contains("call=move_mount ") && a.output().contains("target=/mnt/b "))).output();
        assertThat(bind).contains("result=SUCCESS").doesNotContain("fstype= ", "fstype=<NA>", "source= ", "source=<NA>");
        // Read-only set, then cleared.
        assertThat(await(in.and(a -> a.output().contains("call=mount_setattr ") && a.output().contains("attr_set=1 "))).output())
                .contains("target=/mnt/b", "attr_clr=0", "result=SUCCESS");
        assertThat(await(in.and(a -> a.output().contains("call=mount_setattr ") && a.output().contains("attr_clr=1 "))).output())
                .contains("target=/mnt/b", "attr_set=0", "result=SUCCESS");
        // The bind moved by its path: the sensor reads no fd; the mount table names what is there now.
        String moved = await(in.and(a -> a.output().contains("call=move_mount ") && a.output().contains("target=/mnt/d "))).output();
        assertThat(moved).contains("from=/mnt/b ", "result=SUCCESS")
                .doesNotContain("fstype= ", "fstype=<NA>", "source= ", "source=<NA>");
        // Nothing from runc's own set-up (it mounts and pivots the root): the default pack's rules only.
        assertThat(rig.live().sinceTestStart().stream().filter(in).filter(a -> !a.rule().startsWith("Test "))
                .map(a -> a.event().process().comm()))
                .noneMatch(c -> c.startsWith("runc"));
    }

    @Test
    void onTheHostNoContainerAlertAndABindMadeThroughTheNewApiIsSeenByTheNextPathCall() throws Exception {
        Path etcFile = Path.of("/etc", "eunomia-mountapi-" + ProcessHandle.current().pid());
        Files.writeString(etcFile, "x\n");
        Path t = rig.work().resolve("t");
        Path go = rig.work().resolve("go");
        Path chmodGo = rig.work().resolve("chmod-go");
        try {
            Files.createDirectory(t);
            // In a private mount namespace: a tmpfs through the API, a path call there (its table is
            // read), then /etc bound below it through open_tree + move_mount and a chmod through the
            // bind: the chmod is below /etc only if the table was read again after the bind. The chmod
            // waits until the monitor has judged the bind's move_mount: the sensors' rings are read one
            // after the other, so a chmod made at once could be decoded before the move_mount is.
            String api = rig.mountapi().toString();
            String script = "exec unshare -m --propagation private sh -c '" + api + " tmpfs " + t
                    + " && mkdir " + t + "/b && chmod 700 " + t + "/b"
                    + " && " + api + " bind /etc " + t + "/b && while [ ! -e " + chmodGo + " ]; do sleep 0.1; done"
                    + " && chmod 600 " + t + "/b/" + etcFile.getFileName()
                    + " && " + api + " ro " + t + "/b"
                    + " && echo acted && while [ ! -e " + go + " ]; do sleep 0.2; done'";
            CompletableFuture<Ran> ran = CompletableFuture.supplyAsync(() -> {
                try {
                    return LiveProcesses.runToEnd(List.of("sh", "-c", script));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AssertionError missing = null;
            try {
                assertThat(rig.live().await(HOST_RULE, a -> a.output().contains("call=move_mount") && a.output().contains("target=" + t + " ")).output())
                        .contains("source=eunomia-mountapi", "fstype=tmpfs");
                assertThat(rig.live().await(HOST_RULE, a -> a.output().contains("call=open_tree")
                        && a.event().process().comm().equals("mountapi")).output()).contains("source=/etc");
                // the flags by name: unshare -m's CLONE_NEWNS, the bind's OPEN_TREE_CLONE
                rig.live().await(FLAGS_RULE, a -> a.output().contains("call=unshare ") && a.output().contains(t.toString()));
                rig.live().await(FLAGS_RULE, a -> a.output().contains("call=open_tree ") && a.output().contains("bind /etc " + t + "/b"));
                rig.live().await(HOST_RULE, a -> a.output().contains("call=move_mount") && a.output().contains("target=" + t + "/b "));
                Files.writeString(chmodGo, "");
                Alert chmod = rig.live().await(CHMOD_RULE, a -> a.output().contains("file=" + etcFile + " "));
                assertThat(((FileEvent) chmod.event()).pathGiven()).isEqualTo(t + "/b/" + etcFile.getFileName());
                rig.live().await(HOST_RULE, a -> a.output().contains("call=mount_setattr") && a.output().contains("target=" + t + "/b"));
            } catch (AssertionError e) {
                missing = e;
            } finally {
                Files.writeString(chmodGo, "");
                Files.writeString(go, "");
            }
            Ran r = ran.get(60, TimeUnit.SECONDS);
            if (missing != null) {  // say what the act did
                throw new AssertionError("the act ended with " + r.exit() + ": " + r.output(), missing);
            }
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(rig.live().rulesFor(r.pid())).as(rig.live().describe(r.pid())).doesNotContain(MOUNT_RULE);
        } finally {
            Files.deleteIfExists(etcFile);
            Files.deleteIfExists(go);
            Files.deleteIfExists(chmodGo);
        }
    }

    /**
     * mount_setattr's struct mount_attr and fsconfig's key and value in a page the program never touched
     * (a fresh private file mapping: unreadable at sys_enter, where no fault may be taken) are read at
     * the call's exit: in a privileged runc container the default pack's mount alert names the
     * attributes set and cleared, and on the host (a private mount namespace) the events carry them
     * too. The old sensor made these events with attr_set/attr_clr 0 and fsconfig's source left out.
     */
    @Test
    void mountAttributesAndSourceInAnUntouchedPageAreReported() throws Exception {
        String source = "eunomia-cold-" + ProcessHandle.current().pid();
        String evade = EvasionProbe.binary().toString();
        try (Runc runc = new Runc()) {
            String id = OciRuntime.uniqueId("mountcold");
            ContainerSpec priv = ContainerSpec.of("sh", "-c", String.join(" && ",
                    "mkdir -p /mnt/e",
                    "/evade fsconfig-cold /mnt/e " + source,
                    "/evade setattr-cold /mnt/e 2 0",  // MOUNT_ATTR_NOSUID set, then cleared
                    "/evade setattr-cold /mnt/e 0 2",
                    "sleep 0.2")).withConfigEdit(c -> {
                        LiveProcesses.addCapabilities(c, "CAP_SYS_ADMIN");
                        LiveProcesses.bindReadOnly(c, Path.of(evade), "/evade");
                    });
            Result r = runc.run(id, priv, WAIT);
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
            assertThat(r.stdout()).contains("fsconfig-cold: 0", "setattr-cold: 0").doesNotContain("setattr-cold: -");
            Predicate<Alert> in = a -> a.container().id().equals(id);
            assertThat(await(in.and(a -> a.output().contains("call=mount_setattr ") && a.output().contains("attr_set=2 "))).output())
                    .contains("target=/mnt/e ", "attr_clr=0 ", "result=SUCCESS");
            assertThat(await(in.and(a -> a.output().contains("call=mount_setattr ") && a.output().contains("attr_clr=2 "))).output())
                    .contains("target=/mnt/e ", "attr_set=0 ", "result=SUCCESS");
            assertThat(rig.live().await("Test fsconfig source", in).output()).contains("source=" + source + " ");
        }
        Path t = Files.createDirectory(rig.work().resolve("cold"));
        String act = evade + " fsconfig-cold " + t + " " + source + "-host && " + evade + " setattr-cold " + t + " 2 0";
        Ran r = LiveProcesses.runToEnd(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", act));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("fsconfig-cold: 0", "setattr-cold: 0").doesNotContain("setattr-cold: -");
        Alert host = rig.live().await(HOST_RULE, a -> a.output().contains("call=mount_setattr") && a.output().contains("target=" + t));
        assertThat(((SyscallEvent) host.event()).args()).containsEntry("attr_set", 2L).containsEntry("attr_clr", 0L);
        assertThat(rig.live().await("Test fsconfig source", a -> a.output().contains(source + "-host"))
                .output()).contains("source=" + source + "-host ");
    }

    /**
     * crun sets a container up with open_tree and move_mount (runc 1.1 with mount(2) only): those
     * calls are seen, and a plain container raises no mount alert for them. The container's write
     * below /etc at its end is the barrier: once its alert is out, its set-up's events were judged.
     */
    @Test
    void aContainerRuntimesOwnMountApiCallsRaiseNoMountAlert() throws Exception {
        for (OciRuntime runtime : List.<OciRuntime>of(new Crun(), new Runc())) {
            try (runtime) {
                String id = OciRuntime.uniqueId("mountapi-plain-" + runtime.name());
                Result r = runtime.run(id, ContainerSpec.of("sh", "-c", "ls / >/dev/null; touch /etc/mountapi-barrier"), WAIT);
                assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
                rig.live().await("Write below system directory", a -> a.container().id().equals(id));
                assertThat(rig.live().sinceTestStart()).filteredOn(a -> a.container().id().equals(id))
                        .extracting(Alert::rule).doesNotContain(MOUNT_RULE);
            }
        }
        rig.live().await("Test mount API call by runtime", a -> a.event().process().comm().equals("crun"));
    }

    private static Alert await(Predicate<Alert> which) throws InterruptedException {
        return rig.live().await(MOUNT_RULE, which);
    }
}
