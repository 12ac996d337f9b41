package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.WEB;
import static io.eunomia.engine.pipeline.TestEvents.execdOnHost;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.StreamKind;
import io.eunomia.event.SyscallEvent;
import io.eunomia.rules.HostMountNamespace;
import io.eunomia.rules.RuleBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default pack's "Sensitive filesystem mounted in a container" (40-privilege.yaml) on constructed
 * events shaped as the privilege sensor reports them: which mounts it takes from "Mount or namespace
 * change in container" (one alert per call), and what stays the WARNING's or nobody's. The live
 * routes are {@link SensitiveMountLiveTest}'s.
 */
class SensitiveMountRulesTest {
    private static final String SENSITIVE = "Sensitive filesystem mounted in a container";
    private static final String MOUNT = "Mount or namespace change in container";
    private static final long MS_BIND = 4096;
    private static final long MS_RDONLY = 1;
    private static final long MS_REMOUNT = 32;
    private static final long MOUNT_ATTR_RDONLY = 1;
    private static RuleBase pack;

    @BeforeAll
    static void load() throws Exception {
        pack = new RuleLoader(List.of(), true).load();
    }

    private static List<Alert> alerts(SyscallEvent e) throws Exception {
        return TestEvents.replay(pack, List.of(e));
    }

    private static List<String> fire(SyscallEvent e) throws Exception {
        return alerts(e).stream().map(Alert::rule).toList();
    }

    private static ProcessInfo sh(ContainerInfo c) {
        return new ProcessInfo(40, 40, 1, 0, 0, 0, 0, "sh", 4026532400L, 2, 4026532500L, 1, c);
    }

    /** A call's event with its texts (source, target, fstype ...: empty ones left out, as the sensor does). */
    private static SyscallEvent call(ProcessInfo p, String name, long flags, long result, String... texts) {
        Map<String, String> strs = new LinkedHashMap<>();
        for (int i = 0; i < texts.length; i += 2) {
            strs.put(texts[i], texts[i + 1]);
        }
        return new SyscallEvent(T0, p, name, 0, Map.of("flags", flags), strs, result);
    }

    /** mount_setattr on a target: the attributes set and cleared, as the sensor copies struct mount_attr. */
    private static SyscallEvent setattr(ProcessInfo p, String target, long set, long clr, long result) {
        return new SyscallEvent(T0, p, "mount_setattr", 0, Map.of("flags", 0L, "attr_set", set, "attr_clr", clr, "propagation", 0L),
                Map.of("target", target), result);
    }

    private static SyscallEvent mount(String source, String target, String fstype, long flags, long result) {
        return call(sh(WEB), "mount", flags, result, "source", source, "target", target, "fstype", fstype);
    }

    @Test
    void escapeFileSystemsMountedThroughMountRaiseOnlyTheCriticalAlert() throws Exception {
        for (String type : List.of("proc", "sysfs", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "bpf", "devtmpfs")) {
            assertThat(fire(mount(type, "/mnt/x", type, 0, 0))).as(type).containsExactly(SENSITIVE);
        }
        // the host's disk by its node, or by a disk file system type whatever the node is called (mknod)
        for (String dev : List.of("/dev/sda1", "/dev/vda", "/dev/nvme0n1p2", "/dev/xvda1", "/dev/mapper/vg-root",
                "/dev/dm-0", "/dev/loop3", "/dev/disk/by-uuid/0e1f")) {
            assertThat(fire(mount(dev, "/mnt/host", "", 0, 0))).as(dev).containsExactly(SENSITIVE);
        }
        assertThat(fire(mount("/tmp/disk", "/mnt/host", "ext4", 0, 0))).containsExactly(SENSITIVE);
        assertThat(fire(mount("/tmp/disk", "/mnt/host", "xfs", 0, 0))).containsExactly(SENSITIVE);
        // a bind of another process's root (the host's, with the host's pid namespace), of proc or sysfs
        for (String src : List.of("/proc/1/root", "/proc/1/root/etc", "/proc/1/root/var/run/docker.sock", "/proc/self/cwd",
                "/proc", "/proc/sys", "/proc/sys/kernel", "/proc/sysrq-trigger", "/sys", "/sys/fs/cgroup", "/sys/kernel/debug")) {
            assertThat(fire(mount(src, "/mnt/b", "", MS_BIND, 0))).as(src).containsExactly(SENSITIVE);
        }
        Alert a = alerts(mount("cgroup", "/mnt/cg", "cgroup", 0, 0)).getFirst();
        assertThat(a.priority().name()).isEqualTo("CRITICAL");
        assertThat(a.output()).contains("call=mount ", "fstype=cgroup ", "source=cgroup ", "target=/mnt/cg ", "process=sh",
                "container=web ", "id=" + WEB.id());
    }

    @Test
    void ordinaryMountsAndFailedAttemptsStayTheWarningsAlone() throws Exception {
        assertThat(fire(mount("scratch", "/mnt", "tmpfs", 0, 0))).containsExactly(MOUNT);
        assertThat(fire(mount("mqueue", "/dev/mqueue", "mqueue", 0, 0))).containsExactly(MOUNT);
        assertThat(fire(mount("overlay", "/merged", "overlay", 0, 0))).containsExactly(MOUNT);
        // binds of the container's own files: "/" and "/etc" of its namespace, its netns pinned (ip netns add)
        for (String src : List.of("/", "/etc", "/root", "/var/run/docker.sock", "/data/procfiles", "/proc/self/ns/net",
                "/system", "proc/1/root")) {
            assertThat(fire(mount(src, "/mnt/b", "", MS_BIND, 0))).as(src).containsExactly(MOUNT);
        }
        // refused (no CAP_SYS_ADMIN, an LSM): an attempt, not a mount
        assertThat(fire(mount("proc", "/mnt/p", "proc", 0, -1))).containsExactly(MOUNT);
        assertThat(fire(mount("/dev/vda", "/mnt/host", "ext4", 0, -13))).containsExactly(MOUNT);
    }

    @Test
    void theNewMountApiIsJudgedWhereTheMountIsMade() throws Exception {
        ProcessInfo p = sh(WEB);
        // fsopen only names the type; fsmount makes the mount (usable by its fd without move_mount)
        assertThat(fire(call(p, "fsopen", 0, 3, "fstype", "cgroup"))).containsExactly(MOUNT);
        assertThat(fire(call(p, "fsmount", 0, 4, "source", "cgroup", "fstype", "cgroup"))).containsExactly(SENSITIVE);
        assertThat(fire(call(p, "fsmount", 0, 4, "source", "/dev/loop0", "fstype", "ext4"))).containsExactly(SENSITIVE);
        assertThat(fire(call(p, "fsmount", 0, 4, "source", "/dev/vdb", "fstype", "unknownfs"))).containsExactly(SENSITIVE);
        assertThat(fire(call(p, "fsmount", 0, 4, "source", "eunomia-mountapi", "fstype", "tmpfs"))).isEmpty();
        // fsconfig is a step: its source reaches fsmount's device name
        assertThat(fire(call(p, "fsconfig", 0, 0, "key", "source", "source", "/dev/sda1"))).isEmpty();
        // move_mount attaches what fsmount or open_tree made, judged there
        assertThat(fire(call(p, "move_mount", 4, 0, "source", "/dev/loop0", "fstype", "ext4", "target", "/mnt")))
                .containsExactly(MOUNT);
        // open_tree clones: another process's root, proc or a cgroup tree; not the container's own root (ext4 here)
        assertThat(fire(call(p, "open_tree", 1, 5, "source", "/proc/1/root", "fstype", "ext4"))).containsExactly(SENSITIVE);
        assertThat(fire(call(p, "open_tree", 1, 5, "source", "/proc", "fstype", "proc"))).containsExactly(SENSITIVE);
        assertThat(fire(call(p, "open_tree", 1, 5, "source", "/mnt/cg", "fstype", "cgroup"))).containsExactly(SENSITIVE);
        assertThat(fire(call(p, "open_tree", 1, 5, "source", "/etc", "fstype", "ext4"))).containsExactly(MOUNT);
        assertThat(fire(call(p, "fsmount", 0, -1, "fstype", "proc"))).isEmpty();
    }

    @Test
    void aReadOnlyMountUnderProcOrSysMadeWritableIsOneJudgmentWhateverTheCall() throws Exception {
        ProcessInfo p = sh(WEB);
        // mount(2): a read-write remount of /proc/sys (its type is proc) is the CRITICAL's
        assertThat(fire(mount("proc", "/proc/sys", "proc", MS_REMOUNT, 0))).containsExactly(SENSITIVE);
        // mount_setattr clearing MOUNT_ATTR_RDONLY (alone or with others) under /proc or /sys: the same
        for (long clr : List.of(MOUNT_ATTR_RDONLY, MOUNT_ATTR_RDONLY | 0x2L | 0x8L)) {
            for (String target : List.of("/proc/sys", "/proc/sysrq-trigger", "/sys", "/sys/fs/cgroup")) {
                assertThat(fire(setattr(p, target, 0, clr, 0))).as(target + " clr=" + clr).containsExactly(SENSITIVE);
            }
        }
        // clearing nosuid only, setting read-only, clearing it elsewhere, or refused: the WARNING
        assertThat(fire(setattr(p, "/proc/sys", 0, 0x2, 0))).containsExactly(MOUNT);
        assertThat(fire(setattr(p, "/proc/sys", MOUNT_ATTR_RDONLY, 0, 0))).containsExactly(MOUNT);
        assertThat(fire(setattr(p, "/mnt/data", 0, MOUNT_ATTR_RDONLY, 0))).containsExactly(MOUNT);
        assertThat(fire(setattr(p, "/processes", 0, MOUNT_ATTR_RDONLY, 0))).containsExactly(MOUNT);
        assertThat(fire(setattr(p, "/proc/sys", 0, MOUNT_ATTR_RDONLY, -1))).containsExactly(MOUNT);
    }

    @Test
    void aRemountThatMakesAMountReadOnlyIsHardeningNotAnEscape() throws Exception {
        // kind's entry point: mount -o remount,ro /sys (mount(8) keeps the current nosuid,nodev,noexec;
        // old callers put the magic number MS_MGC_VAL in the upper half)
        assertThat(fire(mount("sysfs", "/sys", "sysfs", MS_REMOUNT | MS_RDONLY, 0))).containsExactly(MOUNT);
        assertThat(fire(mount("sysfs", "/sys", "sysfs", MS_REMOUNT | MS_RDONLY | 0x2 | 0x4 | 0x8, 0))).containsExactly(MOUNT);
        assertThat(fire(mount("sysfs", "/sys", "sysfs", 0xc0ed0000L | MS_REMOUNT | MS_RDONLY, 0))).containsExactly(MOUNT);
        assertThat(fire(mount("/proc/sys", "/proc/sys", "", MS_REMOUNT | MS_BIND | MS_RDONLY, 0))).containsExactly(MOUNT);
        // the same remount read-write, and a new read-only mount of sysfs (not a remount), stay the CRITICAL's
        assertThat(fire(mount("sysfs", "/sys", "sysfs", MS_REMOUNT, 0))).containsExactly(SENSITIVE);
        assertThat(fire(mount("sysfs", "/mnt/s", "sysfs", MS_RDONLY, 0))).containsExactly(SENSITIVE);
    }

    @Test
    void workloadsThatMountForALivingAreExceptedByImageAsTheReadmeShows(@TempDir Path dir) throws Exception {
        // README "Mounts in containers": the exceptions a user appends for CSI node plugins and docker:dind
        Path local = Files.writeString(dir.resolve("local.yaml"), """
                - rule: Sensitive filesystem mounted in a container
                  exceptions:
                    - name: csi_node_plugins
                      fields: [container.image, syscall.str.fstype]
                      values:
                        - [registry.k8s.io/provider-aws/aws-ebs-csi-driver:v1.37.0, ext4]
                        - [registry.k8s.io/provider-aws/aws-ebs-csi-driver:v1.37.0, xfs]
                    - name: dind
                      fields: container.image
                      values: [docker:27-dind]
                  override:
                    exceptions: append
                """);
        RuleBase excepted = new RuleLoader(List.of(local), true).load();
        ProcessInfo csi = sh(new ContainerInfo("c5", "ebs-plugin", "registry.k8s.io/provider-aws/aws-ebs-csi-driver:v1.37.0",
                "containerd", "", ""));
        ProcessInfo dind = sh(new ContainerInfo("d1", "dind", "docker:27-dind", "docker", "", ""));
        SyscallEvent volume = call(csi, "mount", 0, 0, "source", "/dev/nvme1n1", "target", "/var/lib/kubelet/pv", "fstype", "ext4");
        SyscallEvent csiProc = call(csi, "mount", 0, 0, "source", "proc", "target", "/mnt/p", "fstype", "proc");
        SyscallEvent securityfs = call(dind, "mount", 0, 0, "source", "securityfs", "target", "/sys/kernel/security",
                "fstype", "securityfs");
        assertThat(TestEvents.replay(excepted, List.of(volume, securityfs))).extracting(Alert::rule).doesNotContain(SENSITIVE);
        // the plugin's image mounting proc is not what it was excepted for; without the file, all three alert
        assertThat(TestEvents.replay(excepted, List.of(csiProc))).extracting(Alert::rule).containsExactly(SENSITIVE);
        assertThat(fire(volume)).containsExactly(SENSITIVE);
        assertThat(fire(securityfs)).containsExactly(SENSITIVE);
    }

    @Test
    void theRuntimesSetUpAndTheHostAreNotTheWorkload() throws Exception {
        for (String comm : List.of("runc:[2:INIT]", "runc:[1:CHILD]", "crun", "conmon")) {
            ProcessInfo rt = execdOnHost(new ProcessInfo(50, 50, 1, 0, 0, 0, 0, comm, 4026532400L, 2, 4026532500L, 1, WEB));
            assertThat(fire(call(rt, "mount", 0, 0, "source", "proc", "target", "/proc", "fstype", "proc"))).as(comm).isEmpty();
            assertThat(fire(call(rt, "fsmount", 0, 4, "source", "sysfs", "fstype", "sysfs"))).as(comm).isEmpty();
            assertThat(fire(call(rt, "mount", MS_BIND, 0, "source", "/sys/fs/cgroup/cpu/docker/x", "target", "/sys/fs/cgroup/cpu")))
                    .as(comm).isEmpty();
        }
        ProcessInfo host = new ProcessInfo(60, 60, 1, 0, 0, 0, 0, "mount", 4026531841L, 2, 4026531836L, 1, ContainerInfo.HOST);
        assertThat(fire(call(host, "mount", 0, 0, "source", "/dev/vdb", "target", "/srv", "fstype", "ext4"))).isEmpty();
    }

    @Test
    void aWorkloadNamedLikeTheRuntimeIsTheWorkload() throws Exception {
        // prctl(PR_SET_NAME, "runc:[2:INIT]"), or a copy of mount named crun: exec'd inside the container
        // (proc.exec_on_host false), so neither name excuses it
        for (String comm : List.of("runc:[2:INIT]", "runc:[1:CHILD]", "crun", "conmon", "catatonit")) {
            ProcessInfo forged = new ProcessInfo(51, 51, 1, 0, 0, 0, 0, comm, 4026532400L, 2, 4026532500L, 1, WEB);
            assertThat(fire(call(forged, "mount", 0, 0, "source", "proc", "target", "/mnt/p", "fstype", "proc")))
                    .as(comm).containsExactly(SENSITIVE);
            assertThat(fire(call(forged, "mount", 0, 0, "source", "/dev/sda1", "target", "/mnt/d", "fstype", "ext4")))
                    .as(comm).containsExactly(SENSITIVE);
            assertThat(fire(call(forged, "mount", 0, 0, "source", "scratch", "target", "/mnt/t", "fstype", "tmpfs")))
                    .as(comm).containsExactly(MOUNT);
            assertThat(fire(call(forged, "unshare", 0, 0))).as(comm).containsExactly(MOUNT);
        }
        // exec'd on the host but named otherwise: the name is still asked for
        ProcessInfo other = execdOnHost(new ProcessInfo(52, 52, 1, 0, 0, 0, 0, "mount", 4026532400L, 2, 4026532500L, 1, WEB));
        assertThat(fire(call(other, "mount", 0, 0, "source", "proc", "target", "/mnt/p", "fstype", "proc"))).containsExactly(SENSITIVE);
    }

    @Test
    void aRuntimeNestedInAKindNodeOrDindSetsUpItsContainersByName() throws Exception {
        // the inner runc/crun is exec'd inside the outer container (proc.exec_on_host false): only its image excuses it
        for (String image : List.of("kindest/node:v1.31.0", "docker.io/kindest/node@sha256:" + "b".repeat(64), "docker:dind",
                "docker:27-dind", "docker.io/library/docker:dind-rootless")) {
            ContainerInfo outer = new ContainerInfo("c".repeat(64), "node", image, "docker", "", "");
            for (String comm : List.of("runc:[2:INIT]", "crun")) {
                ProcessInfo inner = new ProcessInfo(53, 53, 1, 0, 0, 0, 0, comm, 4026532400L, 2, 4026532500L, 1, outer);
                assertThat(fire(call(inner, "mount", 0, 0, "source", "proc", "target", "/proc", "fstype", "proc")))
                        .as(image + " " + comm).isEmpty();
                assertThat(fire(call(inner, "mount", 0, 0, "source", "cgroup", "target", "/sys/fs/cgroup", "fstype", "cgroup2")))
                        .as(image + " " + comm).isEmpty();
            }
            // another name in the same container is still judged
            ProcessInfo sh = new ProcessInfo(54, 54, 1, 0, 0, 0, 0, "sh", 4026532400L, 2, 4026532500L, 1, outer);
            assertThat(fire(call(sh, "mount", 0, 0, "source", "proc", "target", "/mnt/p", "fstype", "proc")))
                    .as(image).containsExactly(SENSITIVE);
        }
        // docker's client image, or an image merely named like one, is no nested runtime
        for (String image : List.of("docker:27-cli", "docker:latest", "example.com/kindest/node:v1", "nginx:dind")) {
            ContainerInfo c = new ContainerInfo("d".repeat(64), "x", image, "docker", "", "");
            ProcessInfo forged = new ProcessInfo(55, 55, 1, 0, 0, 0, 0, "runc:[2:INIT]", 4026532400L, 2, 4026532500L, 1, c);
            assertThat(fire(call(forged, "mount", 0, 0, "source", "proc", "target", "/mnt/p", "fstype", "proc")))
                    .as(image).containsExactly(SENSITIVE);
        }
    }

    @Test
    void aContainersProcessInTheHostsMountNamespaceMountsTheHostsFiles() throws Exception {
        // attributed by its cgroup (container.in_host_mntns): "/" and "/etc" there are the host's
        long hostMntns = HostMountNamespace.inode();
        assertThat(hostMntns).as("the host's mount namespace, read").isPositive();
        ProcessInfo escaped = new ProcessInfo(70, 70, 1, 0, 0, 0, 0, "sh", hostMntns, 2, 4026532500L, 1, WEB);
        assertThat(fire(call(escaped, "mount", MS_BIND, 0, "source", "/etc", "target", "/tmp/x"))).containsExactly(SENSITIVE);
        assertThat(fire(call(escaped, "move_mount", 4, 0, "source", "none", "fstype", "tmpfs", "target", "/tmp/y")))
                .containsExactly(SENSITIVE);
    }

    /**
     * "Container process entered the host mount namespace" on exec events judges the caller by where
     * it was exec'd (proc.exec_on_host), not by the new program's name: a process of a nested
     * runtime's container (kind's node) exec'ing the host's runc in the host's namespace alerts (it
     * was excused by container_runtime_setup's nested-runtime branch before); a runtime's init exec'd
     * on the host re-exec'ing itself does not; a program exec'd on the host under another name does.
     */
    @Test
    void anExecInTheHostsMountNamespaceIsExcusedOnlyForARuntimeExecdOnTheHost() throws Exception {
        String escape = "Container process entered the host mount namespace";
        long hostMntns = HostMountNamespace.inode();
        ContainerInfo kind = new ContainerInfo("b".repeat(64), "node", "kindest/node:v1.30.0", "docker", "", "");
        ProcessInfo runc = new ProcessInfo(71, 71, 1, 0, 0, 0, 0, "runc", hostMntns, 2, 4026531836L, 1, kind);
        assertThat(fireExec(runc, "/usr/sbin/runc")).contains(escape);
        assertThat(fireExec(execdOnHost(runc), "/usr/sbin/runc")).doesNotContain(escape);
        ProcessInfo sh = new ProcessInfo(72, 72, 1, 0, 0, 0, 0, "sh", hostMntns, 2, 4026531836L, 1, kind);
        assertThat(fireExec(execdOnHost(sh), "/bin/sh")).contains(escape);
    }

    private static List<String> fireExec(ProcessInfo p, String exe) throws Exception {
        ExecEvent e = new ExecEvent(T0, p, p.pid(), exe, List.of(exe), 1, false, "", StreamKind.PIPE, StreamKind.PIPE,
                StreamKind.PIPE, 0);
        return TestEvents.replay(pack, List.of(e)).stream().map(Alert::rule).toList();
    }
}
