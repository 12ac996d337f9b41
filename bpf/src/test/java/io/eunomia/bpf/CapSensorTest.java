package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.CapEvent;
import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The capability sensor, loaded for real, watching real child processes make capability checks. */
class CapSensorTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String PYTHON = "/usr/bin/python3";
    @RegisterExtension
    static final LoadedSensors SENSORS = LoadedSensors.of(Sensor.CAP);

    @TempDir
    Path dir;

    @Test
    void chownOfAnotherUsersFileUsesCapChown() throws Exception {
        Path file = Files.createFile(dir.resolve("owned-by-root"));
        try (EventCollector events = new EventCollector(SENSORS.get(), CapEvent.class::isInstance)) {
            Process p = new ProcessBuilder("/usr/bin/chown", "65534", file.toString()).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();

            CapEvent cap = events.await(CapEvent.class,
                    e -> e.process().pid() == pid && e.capability() == Capability.CHOWN.number(), WAIT);
            assertThat(cap.granted()).isTrue();
            assertThat(cap.capName()).isEqualTo("CAP_CHOWN");
            assertThat(cap.syscall()).contains("chown");
            assertThat(cap.inHostUserNamespace()).isTrue();
            assertThat(cap.process().comm()).isEqualTo("chown");
            assertThat(cap.suppressed()).isZero();
        }
        assertThat(CapabilityUsage.of(SENSORS.get()).of(ProcessSensorTest.selfMntns()))
                .hasValueSatisfying(u -> assertThat(u.granted()).contains(Capability.CHOWN));
    }

    @Test
    void unprivilegedProcessIsDenied() throws Exception {
        try (EventCollector events = new EventCollector(SENSORS.get(), CapEvent.class::isInstance)) {
            // sethostname needs CAP_SYS_ADMIN in the UTS namespace's owner: nobody has none.
            Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "/usr/bin/hostname", "eunomia-denied").start();
            long pid = p.pid();
            assertThat(p.waitFor()).isNotZero();

            CapEvent cap = events.await(CapEvent.class, e -> e.process().pid() == pid
                    && e.capability() == Capability.SYS_ADMIN.number() && !e.granted(), WAIT);
            assertThat(cap.process().euid()).isEqualTo(65534);
            assertThat(cap.syscall()).isEqualTo("sethostname");
            assertThat(cap.capName()).isEqualTo("CAP_SYS_ADMIN");
        }
        assertThat(CapabilityUsage.of(SENSORS.get()).denied().get(ProcessSensorTest.selfMntns()))
                .contains(Capability.SYS_ADMIN);
    }

    @Test
    void repeatedChecksAreFoldedInTheKernel() throws Exception {
        Path file = Files.createFile(dir.resolve("folded"));
        // 200 identical CAP_CHOWN checks in a burst, then one more after the 1 s report interval.
        String script = """
                import os, sys, time
                f = sys.argv[1]
                for i in range(200):
                    os.chown(f, 65534 - (i & 1), -1)
                time.sleep(1.3)
                os.chown(f, 65534, -1)
                """;
        try (EventCollector events = new EventCollector(SENSORS.get(), CapEvent.class::isInstance)) {
            Process p = new ProcessBuilder(PYTHON, "-c", script, file.toString()).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();

            CapEvent last = events.await(CapEvent.class, e -> e.process().pid() == pid
                    && e.capability() == Capability.CHOWN.number() && e.suppressed() > 0, WAIT);
            assertThat(last.suppressed()).isGreaterThanOrEqualTo(199);
            List<CapEvent> chowns = events.drain().stream()
                    .filter(e -> e instanceof CapEvent c && c.process().pid() == pid
                            && c.capability() == Capability.CHOWN.number())
                    .map(CapEvent.class::cast).toList();
            assertThat(chowns).hasSize(2);
            assertThat(chowns.getFirst().suppressed()).isZero();
        }
    }

    @Test
    void zeroIntervalReportsEveryCheck() throws Exception {
        Path file = Files.createFile(dir.resolve("every"));
        CapabilityUsage usage = CapabilityUsage.of(SENSORS.get());
        usage.setReportInterval(Duration.ZERO);
        try (EventCollector events = new EventCollector(SENSORS.get(), CapEvent.class::isInstance)) {
            assertThat(usage.reportInterval()).isEqualTo(Duration.ZERO);
            Process p = new ProcessBuilder(PYTHON, "-c",
                    "import os, sys\nfor i in range(5): os.chown(sys.argv[1], 65534 - (i & 1), -1)", file.toString())
                    .start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (countChowns(events, pid) < 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(countChowns(events, pid)).isGreaterThanOrEqualTo(5);
        } finally {
            usage.setReportInterval(CapabilityUsage.DEFAULT_REPORT_INTERVAL);
        }
        assertThat(usage.reportInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void usageIsKeptPerMountNamespaceAndCanBeForgotten() throws Exception {
        Path file = Files.createFile(dir.resolve("other-ns"));
        CapabilityUsage usage = CapabilityUsage.of(SENSORS.get());
        try (EventCollector events = new EventCollector(SENSORS.get(), CapEvent.class::isInstance)) {
            // unshare -m execs chown in a mount namespace of its own: nothing else runs there.
            // (--propagation unchanged: no mount(MS_PRIVATE), whose CAP_SYS_ADMIN would be a real use.)
            Process p = new ProcessBuilder("/usr/bin/unshare", "-m", "--propagation", "unchanged", "/usr/bin/chown", "65534", file.toString()).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            CapEvent cap = events.await(CapEvent.class,
                    e -> e.process().pid() == pid && e.capability() == Capability.CHOWN.number(), WAIT);
            long ns = cap.process().mntns();
            long id = cap.process().mntnsId();
            assertThat(ns).isNotEqualTo(ProcessSensorTest.selfMntns());
            // By the namespace's id: its number was freed when chown exited, and on a busy host the next
            // namespace made (anyone's container) takes it at once, and the by-number view with it.
            CapabilityUsage.Usage ours = usage.ofNamespaceId(id).orElseThrow(
                    () -> new AssertionError("no usage of mount namespace id " + id + "; by number: " + usage.of(ns)));
            assertThat(ours.mntns()).isEqualTo(ns);
            assertThat(ours.granted()).contains(Capability.CHOWN);
            // exec and mmap ask for CAP_SYS_ADMIN only to size a memory reserve: not a use.
            assertThat(ours.granted()).doesNotContain(Capability.SYS_ADMIN);
            assertThat(ours.denied()).isEmpty();
            // The by-number view: this namespace's, unless a newer one took the number since.
            assertThat(usage.of(ns)).hasValueSatisfying(u -> assertThat(u.mntnsId() == id || u.firstNanos() > ours.firstNanos())
                    .as("by number %d: %s, ours %s", ns, u, ours).isTrue());
            // Forgotten by number: every namespace that had it, ours among them (its id never comes back).
            assertThat(usage.forget(ns)).isTrue();
            assertThat(usage.ofNamespaceId(id)).isEmpty();
        }
    }

    @Test
    void execsMemoryProbesAreDecidedByTheCallARealSysAdminUseStillByTheStack() throws Exception {
        // Each exec makes four CAP_SYS_ADMIN memory-accounting probes (capcheck.bpf.h): decided by
        // the call number now, without the ~3 us stack walk each used to take. The stack-walk
        // counter is the BPF object's, and the walks happen after the scope check: a second
        // capability sensor watching only a mount namespace of the test's own counts only the walks
        // of the tasks in it, whatever else the host runs. The execs enter that namespace with
        // nsenter (setns, then exec: no fork inside it, whose page-table copies would ask the stack).
        Process holder = new ProcessBuilder("/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sleep", "600").start();
        try {
            long ns = awaitOwnMountNamespace(holder);
            try (KernelSensors scoped = KernelSensors.start(SensorOptions.of(java.util.EnumSet.of(Sensor.CAP)).withMntns(ns))) {
                long walksBefore = stackWalks(scoped);
                for (int i = 0; i < 20; i++) {
                    Process p = new ProcessBuilder("/usr/bin/nsenter", "--mount=/proc/" + holder.pid() + "/ns/mnt", "/bin/true").start();
                    assertThat(p.waitFor()).isZero();
                }
                // Decided by the stack again: 80 (4 per exec).
                long walks = stackWalks(scoped) - walksBefore;
                assertThat(walks).as("stack walks during 20 execs in the namespace (80 by the stack)").isLessThan(20);
                // The counter does see this namespace's walks: a new mount namespace made from it is
                // a real CAP_SYS_ADMIN use, asked of the stack.
                Process unshare = new ProcessBuilder("/usr/bin/nsenter", "--mount=/proc/" + holder.pid() + "/ns/mnt",
                        "/usr/bin/unshare", "-m", "/bin/true").start();
                assertThat(unshare.waitFor()).isZero();
                assertThat(stackWalks(scoped) - walksBefore).as("stack walks after an unshare -m in the namespace")
                        .isGreaterThan(walks);
            }
        } finally {
            holder.destroyForcibly().waitFor();
        }

        // A new mount namespace is a real CAP_SYS_ADMIN use (its mount(MS_PRIVATE) too, folded into
        // the first report of the same process image): still asked of the stack and reported.
        try (EventCollector events = new EventCollector(SENSORS.get(), CapEvent.class::isInstance)) {
            Process p = new ProcessBuilder("/usr/bin/unshare", "-m", "--propagation", "private", "/bin/true").start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            CapEvent cap = events.await(CapEvent.class, e -> e.process().pid() == pid
                    && e.capability() == Capability.SYS_ADMIN.number(), WAIT);
            assertThat(cap.syscall()).isIn("unshare", "mount");
            assertThat(cap.granted()).isTrue();
        }
    }

    @Test
    void rootForksMemoryProbesAreDecidedByTheCallANamespaceCloneStillByTheStack() throws Exception {
        // A fork copying the address space asks the probe once per accounted mapping (dup_mmap): 14 per
        // fork of bash (capcheck.bpf.h), 280 stack walks for these 20 subshells when the stack decided
        // them. Counted by a capability sensor scoped to a mount namespace of the test's own (above).
        Process holder = new ProcessBuilder("/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sleep", "600").start();
        try {
            long ns = awaitOwnMountNamespace(holder);
            String enter = "--mount=/proc/" + holder.pid() + "/ns/mnt";
            try (KernelSensors scoped = KernelSensors.start(SensorOptions.of(java.util.EnumSet.of(Sensor.CAP)).withMntns(ns))) {
                long walksBefore = stackWalks(scoped);
                Process forks = new ProcessBuilder("/usr/bin/nsenter", enter, "/bin/bash", "-c",
                        "for i in $(seq 20); do ( : ); done").start();
                assertThat(forks.waitFor()).isZero();
                long walks = stackWalks(scoped) - walksBefore;
                assertThat(walks).as("stack walks during 20 forks by root in the namespace (280 by the stack)").isLessThan(20);

                // clone(CLONE_NEWNS) makes a mount namespace: a real CAP_SYS_ADMIN use in the same call as
                // its dup_mmap's probes, still asked of the stack and reported as the clone's.
                String cloneNewNs = "import ctypes, os\n"
                        + "libc = ctypes.CDLL(None, use_errno=True)\n"
                        + "pid = libc.syscall(" + (Arch.current() == Arch.X86_64 ? 56 : 220)   // clone(CLONE_NEWNS | SIGCHLD)
                        + ", 0x20000 | 17, 0, 0, 0, 0)\n"
                        + "if pid == 0:\n    os._exit(0)\n"
                        + "assert pid > 0, ctypes.get_errno()\n"
                        + "os.waitpid(pid, 0)\n";
                try (EventCollector events = new EventCollector(SENSORS.get(), CapEvent.class::isInstance)) {
                    Process p = new ProcessBuilder("/usr/bin/nsenter", enter, PYTHON, "-c", cloneNewNs).start();
                    assertThat(p.waitFor()).isZero();
                    // nsenter execs python: the same pid, whose setns was nsenter's own CAP_SYS_ADMIN use
                    CapEvent cap = events.await(CapEvent.class, e -> e.process().pid() == p.pid()
                            && e.capability() == Capability.SYS_ADMIN.number() && "clone".equals(e.syscall()), WAIT);
                    assertThat(cap.granted()).isTrue();
                }
                assertThat(stackWalks(scoped) - walksBefore).as("stack walks after a clone(CLONE_NEWNS) in the namespace")
                        .isGreaterThan(walks);
            }
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    private static long stackWalks(KernelSensors sensors) {
        return sensors.object(Sensor.CAP).map("probe_stack_walks").sumPerCpuU64(0);
    }

    /** The mount namespace of a process that made its own (unshare -m): once it has, minutes at most under load. */
    static long awaitOwnMountNamespace(Process p) throws Exception {
        long self = ProcessSensorTest.selfMntns();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("unshare -m sleep 600 runs").isTrue();
            try {
                String link = Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/mnt")).toString();
                long ns = Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
                // unshare's exec of sleep too: nothing of the namespace's making still to come.
                if (ns != self && Files.readString(Path.of("/proc/" + p.pid() + "/comm")).strip().equals("sleep")) {
                    return ns;
                }
            } catch (java.io.IOException raced) {
                // not there yet
            }
            Thread.sleep(10);
        }
        throw new AssertionError("unshare -m made no mount namespace in " + WAIT);
    }

    private static long countChowns(EventCollector events, long pid) {
        return events.drain().stream().filter(e -> e instanceof CapEvent c && c.process().pid() == pid
                && c.capability() == Capability.CHOWN.number()).count();
    }
}
