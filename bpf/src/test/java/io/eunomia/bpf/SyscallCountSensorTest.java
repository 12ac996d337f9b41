package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Syscall learning, loaded for real: a shell in its own mount namespace (as a container has) is
 * learned apart from the host. Bits are set at sys_enter, so they are in the map by the time the
 * child has printed what it did: no waiting.
 */
class SyscallCountSensorTest {
    /** Syscalls that sh, mkdir, rmdir and unshare never make. */
    private static final List<String> NEVER_CALLED = List.of("reboot", "kexec_load", "swapon", "init_module", "syslog");

    private static KernelSensors sensors;
    private static SyscallUsage usage;

    @BeforeAll
    static void load() {
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.SYSCOUNT)));
        usage = SyscallUsage.of(sensors);
    }

    @AfterAll
    static void unload() {
        if (sensors != null) {
            sensors.close();
        }
    }

    @AfterEach
    void learnEverything() {
        usage.ignoreMountNamespace(0);
    }

    /**
     * sh in a private mount namespace: mkdir, then waits for a line, rmdir, waits again. The name
     * is unique: a pid comes round again, and a killed shell leaves its directory behind.
     */
    private static Process container() throws Exception {
        return new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                "d=$(mktemp -u /tmp/eunomia-learn.XXXXXXXX) && mkdir $d && echo one && read a && rmdir $d && echo two && read b")
                .redirectErrorStream(true).start();
    }

    @Test
    void namespaceBitmapHoldsWhatItDidAndNothingElse() throws Exception {
        // The host calls syslog(2) (dmesg -S); the container never does.
        assertThat(new ProcessBuilder("dmesg", "-S").redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor()).isZero();
        Process p = container();
        try (BufferedReader out = reader(p)) {
            assertThat(out.readLine()).isEqualTo("one");
            long mntns = SyscallUsage.mountNamespaceOf(p.pid());
            long host = ProcessSensorTest.selfMntns();
            assertThat(mntns).isNotEqualTo(host);

            // unshare makes the namespace private with mount(2) after entering it; sh execs mkdir.
            assertThat(usage.syscallNames(mntns)).contains("mount", "execve", "write")
                    .containsAnyOf("mkdir", "mkdirat")
                    .doesNotContain("rmdir")
                    .doesNotContainAnyElementsOf(NEVER_CALLED);
            assertThat(usage.syscallNames(host)).contains("syslog");
            assertThat(usage.byMountNamespace()).containsKeys(mntns, host);
            SyscallUsage.Learned learned = usage.learned(mntns).orElseThrow();
            assertThat(learned.compatCalls().isEmpty()).isTrue();
            assertThat(learned.namespaceId()).isNotZero();
        } finally {
            p.destroyForcibly().waitFor();
        }
        SyscallUsage.Stats stats = usage.stats();
        assertThat(stats.mapFull()).isZero();
        assertThat(stats.capacity()).isEqualTo(4096);
    }

    @Test
    void resetStartsAfreshEvenForCallsTheTaskMadeBefore() throws Exception {
        Process p = container();
        try (BufferedReader out = reader(p); Writer in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("one");
            long mntns = SyscallUsage.mountNamespaceOf(p.pid());
            assertThat(usage.syscallNames(mntns)).containsAnyOf("mkdir", "mkdirat");

            assertThat(usage.reset(mntns)).isTrue();
            in.write("go\n");
            in.flush();
            assertThat(out.readLine()).isEqualTo("two");
            // write(2) was cached as recorded by this very shell before the reset: it must come back.
            assertThat(usage.syscallNames(mntns)).contains("read", "write").containsAnyOf("rmdir", "unlinkat")
                    .doesNotContain("mkdir", "mkdirat", "mount");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void containersOnlyLeavesTheHostOut() throws Exception {
        long host = ProcessSensorTest.selfMntns();
        usage.containersOnly();
        usage.reset(host);
        assertThat(new ProcessBuilder("/bin/true").start().waitFor()).isZero();
        Process p = container();
        try (BufferedReader out = reader(p)) {
            assertThat(out.readLine()).isEqualTo("one");
            long mntns = SyscallUsage.mountNamespaceOf(p.pid());
            assertThat(usage.syscallNames(mntns)).contains("execve");
            assertThat(usage.learned(host)).isEmpty();
        } finally {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNewNamespaceWithADeadOnesNumberStartsEmptyAndTheDeadOnesStaysApart() throws Exception {
        // Numbers are reused smallest-first once a namespace is freed (asynchronously, later under load; and
        // other processes on a busy host may take the number first): try until the second namespace gets the
        // first one's number, which the test needs to show anything, for minutes rather than a count of tries.
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            Process first = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "d=$(mktemp -u /tmp/eunomia-learn.XXXXXXXX) && mkdir $d && rmdir $d && readlink /proc/self/ns/mnt").start();
            String firstNs;
            try (BufferedReader out = reader(first)) {
                firstNs = out.readLine();
            }
            assertThat(first.waitFor()).isZero();
            Thread.sleep(Math.min(50L * attempt, 1_000)); // give the kernel time to free the number
            Process second = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "readlink /proc/self/ns/mnt && read a").start();
            try (BufferedReader out = reader(second)) {
                String secondNs = out.readLine();
                if (!secondNs.equals(firstNs)) {
                    continue;
                }
                long mntns = SyscallUsage.mountNamespaceOf(second.pid());
                assertThat(usage.syscallNames(mntns)).contains("execve", "read").doesNotContain("mkdir", "mkdirat", "rmdir");
                // Entries are keyed by namespace id: the dead one's is there too, apart and intact.
                List<SyscallUsage.Learned> withNumber = usage.byNamespaceId().values().stream()
                        .filter(l -> l.mntns() == mntns).toList();
                assertThat(withNumber).hasSizeGreaterThanOrEqualTo(2);
                assertThat(withNumber.stream().map(l -> names(l.nativeCalls())).toList())
                        .anySatisfy(n -> assertThat(n).containsAnyOf("mkdir", "mkdirat"));
                return;
            } finally {
                second.destroyForcibly().waitFor();
            }
        }
        throw new AssertionError("the kernel never reused a mount namespace number in 2 minutes: cannot show the reuse case");
    }

    /**
     * The host's root on btrfs (openSUSE, Fedora): stat reports each subvolume's own anonymous device,
     * the superblock's s_dev is another, and every subvolume's root is inode 256. Subvolume a stands
     * for the host's root, b for a container's on the same file system. A program exec'd in a new
     * mount namespace under a's root is the runtime's set-up; under b's, the workload. The program is
     * exec'd from a descriptor opened before the unshare, so its file is not its namespace's own (a
     * file of its own would count as workload either way). Failed when the kernel compared s_dev with
     * stat's device (a never matched: its mkdir went to the workload); comparing s_dev with s_dev
     * would take b for a.
     */
    @Test
    void onBtrfsOnlyTheHostRootsOwnSubvolumeIsTheHostsRoot(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        try (io.eunomia.testkit.BtrfsVolume btrfs = io.eunomia.testkit.BtrfsVolume.make(tmp.resolve("btrfs"))) {
            java.nio.file.Path a = busyboxTree(btrfs.subvolume("a"));
            java.nio.file.Path b = busyboxTree(btrfs.subvolume("b"));
            usage.hostRoot(io.eunomia.bpf.internal.HostRoot.of(a));
            try {
                SyscallUsage.Learned underA = learnedUnder(a);
                assertThat(names(underA.setupNative())).as("the host's root: set-up").contains("mkdir");
                assertThat(names(underA.workloadNative())).as("the host's root: no workload").doesNotContain("mkdir");
                SyscallUsage.Learned underB = learnedUnder(b);
                assertThat(names(underB.workloadNative())).as("another subvolume: the workload").contains("mkdir");
            } finally {
                usage.hostRoot(io.eunomia.bpf.internal.HostRoot.ofThisProcess());
            }
        }
    }

    private static java.nio.file.Path busyboxTree(java.nio.file.Path root) throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("bin"));
        java.nio.file.Files.copy(java.nio.file.Path.of("/bin/busybox"), root.resolve("bin/busybox"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        return root;
    }

    /** What a busybox sh (exec'd by descriptor in a new mount namespace chrooted to root) was learned with; it mkdirs. */
    private static SyscallUsage.Learned learnedUnder(java.nio.file.Path root) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", """
                import ctypes, os, sys
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(sys.argv[1] + '/bin/busybox', os.O_RDONLY)
                if libc.unshare(0x00020000) != 0:
                    raise OSError(ctypes.get_errno(), 'unshare')
                os.chroot(sys.argv[1])
                os.chdir('/')
                os.execve(fd, ['sh', '-c', 'mkdir /d && echo one && read a && rmdir /d'], {})
                """, root.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = reader(p)) {
            assertThat(out.readLine()).isEqualTo("one");
            return usage.learned(SyscallUsage.mountNamespaceOf(p.pid())).orElseThrow();
        } finally {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static java.util.Set<String> names(java.util.BitSet bits) {
        io.eunomia.abi.SyscallTable t = io.eunomia.abi.SyscallTable.of(io.eunomia.abi.Arch.current());
        java.util.Set<String> out = new java.util.TreeSet<>();
        bits.stream().forEach(n -> out.add(t.nameOrNumber(n)));
        return out;
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }
}
