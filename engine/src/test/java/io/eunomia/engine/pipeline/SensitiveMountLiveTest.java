package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.alert.Alert;
import io.eunomia.event.SyscallEvent;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.LoopDevice;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "Sensitive filesystem mounted in a container" on real containers: a privileged one (CAP_SYS_ADMIN,
 * --privileged) that mounts proc, a cgroup v1 hierarchy, cgroup2 through the new mount API and a block
 * device (an ext4 image on a loop device, the host's) raises it naming the type, source and target;
 * its tmpfs mount and every runtime's own set-up (runc, and docker and podman running runc, mount proc,
 * sysfs and cgroups for every container) do not. Each absence is asserted once a later event of the
 * same sensor (the privilege sensor's ring keeps the calls' order) has been judged.
 */
@SharesLiveMonitor
class SensitiveMountLiveTest {
    // What an act causes ends the wait at once; minutes for a monitor lagging on a loaded machine.
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String SENSITIVE = "Sensitive filesystem mounted in a container";
    private static final String MOUNT = "Mount or namespace change in container";

    @RegisterExtension
    static final MountApiLive rig = new MountApiLive("eunomia-smount-",
            () -> LiveMonitor.sharedDefaultPack(SensitiveMountLiveTest.class, WAIT));
    private static LoopDevice disk;

    @BeforeAll
    static void makeDisk() throws Exception {
        disk = LoopDevice.ext4(rig.work().resolve("disk"));
    }

    @AfterAll
    static void detachDisk() throws Exception {
        if (disk != null) {  // before the rig removes the work directory it is in, even when this fails
            disk.close();
        }
    }

    @Test
    void aRuncContainerMountingProcCgroupsAndTheHostsDiskButNotItsStartOrATmpfs() throws Exception {
        try (Runc runc = new Runc()) {
            // A plain container: runc mounts proc, sysfs, cgroups, devpts, mqueue in it. Its own
            // mount attempt (EPERM: no CAP_SYS_ADMIN) is a later privilege-sensor event of it.
            String plainId = OciRuntime.uniqueId("smount-plain");
            Result plain = runc.run(plainId, ContainerSpec.of("sh", "-c",
                    "cat /etc/hostname >/dev/null; mkdir -p /mnt/x; mount -t tmpfs plain /mnt/x; true"), WAIT);
            assertThat(plain.exitCode()).as(plain.stdout() + plain.stderr()).isZero();

            String privId = OciRuntime.uniqueId("smount-priv");
            String dev = disk.device();
            ContainerSpec priv = ContainerSpec.of("sh", "-c", String.join(" && ",
                    "mkdir -p /mnt/t /mnt/p /mnt/cg /mnt/d /mnt/n",
                    "mount -t tmpfs scratch /mnt/t",
                    "mount -t proc proc /mnt/p",
                    "mount -t cgroup -o none,name=eunomia-smount cgroup /mnt/cg",
                    "mount -t ext4 " + dev + " /mnt/d",
                    "/mountapi fs cgroup2 eunomia-smount2 /mnt/n",
                    // kind's hardening (a remount read-only: not CRITICAL), then /sys made writable again by mount_setattr
                    "mount -o remount,ro /sys", "/mountapi rw /sys",
                    "umount /mnt/n", "umount /mnt/d", "umount /mnt/cg", "umount /mnt/p", "umount /mnt/t"))
                    .withConfigEdit(c -> {
                        LiveProcesses.addCapabilities(c, "CAP_SYS_ADMIN");
                        LiveProcesses.bindReadOnly(c, rig.mountapi(), "/mountapi");
                        addBlockDevice(c, disk);
                    });
            Result r = runc.run(privId, priv, WAIT);
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();

            Predicate<Alert> inPriv = a -> a.container().id().equals(privId);
            assertThat(sensitive(inPriv, "fstype=proc ").output())
                    .contains("call=mount ", "source=proc ", "target=/mnt/p ", "process=mount", "container=" + privId);
            assertThat(sensitive(inPriv, "fstype=cgroup ").output()).contains("call=mount ", "source=cgroup ", "target=/mnt/cg ");
            assertThat(sensitive(inPriv, "fstype=ext4 ").output()).contains("call=mount ", "source=" + dev + " ", "target=/mnt/d ");
            // the new mount API: fsmount makes the mount from fsopen's type and fsconfig's source
            assertThat(sensitive(inPriv, "fstype=cgroup2 ").output()).contains("call=fsmount ", "source=eunomia-smount2 ");
            // mount_setattr clearing read-only on /sys: as CRITICAL as a read-write remount by mount(2)
            assertThat(sensitive(inPriv, "call=mount_setattr ").output()).contains("target=/sys ", "process=mountapi");
            // the read-only remount: the WARNING alone
            rig.live().await(MOUNT, inPriv.and(a -> a.output().contains("call=mount ") && a.output().contains("target=/sys ")));
            // the tmpfs: the WARNING alone
            rig.live().await(MOUNT, inPriv.and(a -> a.output().contains("fstype=tmpfs ") && a.output().contains("target=/mnt/t ")));
            rig.live().await(MOUNT, a -> a.container().id().equals(plainId) && a.output().contains("result=EPERM"));

            assertThat(sensitiveAlerts(a -> a.container().id().equals(plainId))).isEmpty();
            // the five workload mounts only: none of runc's (its /proc, /sys, /sys/fs/cgroup), not the tmpfs, not the
            // read-only remount of /sys
            assertThat(sensitiveAlerts(inPriv)).extracting(a -> a.event().process().comm() + " " + ((SyscallEvent) a.event()).syscall()
                    + " " + ((SyscallEvent) a.event()).strings().getOrDefault("fstype", "-"))
                    .containsExactlyInAnyOrder("mount mount proc", "mount mount cgroup", "mount mount ext4", "mountapi fsmount cgroup2",
                            "mountapi mount_setattr -");
            // one alert per call: the WARNING did not also fire for the mounts the CRITICAL took
            assertThat(rig.live().sinceTestStart()).filteredOn(a -> a.rule().equals(MOUNT) && inPriv.test(a)
                    && a.output().contains("call=mount ")).extracting(Alert::output)
                    .satisfiesExactlyInAnyOrder(o -> assertThat(o).contains("fstype=tmpfs "), o -> assertThat(o).contains("target=/sys "));
            assertThat(rig.live().sinceTestStart()).filteredOn(a -> a.rule().equals(MOUNT) && inPriv.test(a)
                    && a.output().contains("call=mount_setattr ")).isEmpty();
        }
    }

    @Test
    void aPrivilegedDockerContainerMountingProcButNotItsStart() throws Exception {
        try (Dockerd docker = Dockerd.start("eunomia-busybox:smount")) {
            // --privileged asks for every capability, CAP_SYS_RESOURCE too, which this host cannot give
            // (runc refuses: environment.md): CAP_SYS_ADMIN without the seccomp filter that refuses mount
            privilegedEngineContainer(docker, List.of("--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined"));
        }
    }

    @Test
    void aPrivilegedPodmanContainerMountingProcButNotItsStart() throws Exception {
        try (Podman podman = Podman.start("localhost/eunomia-busybox:smount")) {
            privilegedEngineContainer(podman, List.of("--privileged"));  // podman leaves out what the host cannot give
        }
    }

    /**
     * A plain container, then a privileged one (privileged: the run options, CAP_SYS_ADMIN and no
     * seccomp filter at least): the engine's runc sets both up (proc, sysfs, cgroups); the privileged
     * one's own tmpfs mount raises the WARNING, its proc mount the CRITICAL.
     */
    private static void privilegedEngineContainer(ContainerEngine engine, List<String> privileged) throws Exception {
        Result plain = engine.run(OciRuntime.uniqueId("smount-plain"), Map.of(), List.of("sh", "-c", "cat /etc/hostname"), true, WAIT);
        assertThat(plain.exitCode()).as(plain.stdout() + plain.stderr()).isZero();
        Result priv = engine.run(OciRuntime.uniqueId("smount-priv"), Map.of(), List.of("sh", "-c", String.join(" && ",
                "mkdir -p /mnt/t /mnt/p", "mount -t tmpfs scratch /mnt/t", "mount -t proc proc /mnt/p",
                "umount /mnt/p", "umount /mnt/t")), true, WAIT, privileged);
        assertThat(priv.exitCode()).as(priv.stdout() + priv.stderr()).isZero();
        Predicate<Alert> inPriv = a -> a.container().id().equals(priv.id());
        assertThat(sensitive(inPriv, "fstype=proc ").output()).contains("call=mount ", "source=proc ", "target=/mnt/p ", "process=mount");
        rig.live().await(MOUNT, inPriv.and(a -> a.output().contains("fstype=tmpfs ")));
        assertThat(sensitiveAlerts(inPriv)).hasSize(1);
        assertThat(sensitiveAlerts(a -> a.container().id().equals(plain.id()))).isEmpty();
        // the two containers this test started, together: the privileged one's proc mount alone (another
        // test's containers on this machine, alerting at the same time, are not this test's to count)
        Set<String> started = Set.of(plain.id(), priv.id());
        assertThat(sensitiveAlerts(a -> started.contains(a.container().id()))).hasSize(1);
    }

    private static Alert sensitive(Predicate<Alert> in, String part) throws InterruptedException {
        return rig.live().await(SENSITIVE, in.and(a -> a.output().contains(part)));
    }

    private static List<Alert> sensitiveAlerts(Predicate<Alert> in) {
        return rig.live().sinceTestStart().stream().filter(a -> a.rule().equals(SENSITIVE)).filter(in).toList();
    }

    /** An OCI config edit: the block device's node at its host path in the container, and the device cgroup's leave to use it. */
    private static void addBlockDevice(ObjectNode config, LoopDevice d) {
        ObjectNode linux = (ObjectNode) config.get("linux");
        ArrayNode devices = linux.has("devices") ? (ArrayNode) linux.get("devices") : linux.putArray("devices");
        devices.addObject().put("path", d.device()).put("type", "b").put("major", d.major()).put("minor", d.minor())
                .put("fileMode", 0660).put("uid", 0).put("gid", 0);
        ((ArrayNode) linux.get("resources").get("devices")).addObject().put("allow", true).put("type", "b")
                .put("major", d.major()).put("minor", d.minor()).put("access", "rwm");
    }
}
