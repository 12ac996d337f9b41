package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import io.eunomia.libbpf.Libc;
import io.eunomia.testkit.Procs;
import io.eunomia.testkit.SyscallProbe;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Profile enforcement in the kernel, loaded for real: the syscall probe runs in its own mount
 * namespace (as a container's workload does), the test installs a policy for that namespace and
 * then tells the probe to make its calls. Only violations arrive, with what was done about them.
 */
class EnforceSensorTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final int GETPID = 39;
    private static final int GETPPID = 110;
    private static final int SETNS = 308;
    private static final int IA32_GETPID = 20;

    private static KernelSensors sensors;
    private static KernelEnforcement enforcement;
    private static String probe;

    @BeforeAll
    static void load() {
        probe = SyscallProbe.binary().toString();
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.ENFORCE)));
        enforcement = KernelEnforcement.of(sensors);
        // As the product runs it: tasks of namespaces neither watched nor announced skip the checks.
        enforcement.startFilter();
    }

    @AfterAll
    static void unload() {
        if (sensors != null) {
            enforcement.recordNewNamespaces(false);
            sensors.close();
        }
    }

    /** The probe in a private mount namespace: says "ready", waits for a byte on stdin, then does steps. */
    private record Probe(Process process, long mntns, long mntnsId) implements AutoCloseable {
        void go() throws Exception {
            process.getOutputStream().write('g');
            process.getOutputStream().flush();
        }

        int pid() {
            return (int) process.pid();
        }

        /** The probe's next line (its "say" step), read byte by byte so nothing later is taken ahead. */
        String nextLine() throws Exception {
            StringBuilder line = new StringBuilder();
            for (int c = process.getInputStream().read(); c != '\n'; c = process.getInputStream().read()) {
                if (c < 0) {
                    throw new AssertionError("the probe ended before a line; so far: " + line);
                }
                line.append((char) c);
            }
            return line.toString();
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly().waitFor();
        }
    }

    private static Probe start(String... steps) throws Exception {
        return start(List.of(), steps);
    }

    /** before: steps before it says "ready" (a memexec: it then runs from a memfd). */
    private static Probe start(List<String> before, String... steps) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", probe));
        cmd.addAll(before);
        cmd.addAll(List.of("say", "ready", "wait"));
        cmd.addAll(List.of(steps));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        long mntns = Namespaces.mountNamespace(p.pid()).orElseThrow();
        assertThat(mntns).isNotEqualTo(Namespaces.mountNamespace(ProcessHandle.current().pid()).orElseThrow());
        return new Probe(p, mntns, Libc.mountNamespaceId(p.pid()).orElseThrow());
    }

    private static EnforcementPolicy allBut(Set<Integer> forbiddenNative, Set<ViolationKind> kill) {
        BitSet nat = new BitSet();
        nat.set(0, EnforcementPolicy.SYSCALL_BITS);
        forbiddenNative.forEach(nat::clear);
        BitSet compat = new BitSet();
        compat.set(0, EnforcementPolicy.SYSCALL_BITS);
        return new EnforcementPolicy(nat, compat, EnumSet.allOf(Capability.class), Set.of(), Set.of(probe), kill);
    }

    private static EventCollector violationsOf(int pid) {
        return new EventCollector(sensors, e -> e instanceof ViolationEvent v && v.process().pid() == pid);
    }

    @Test
    void syscallOutsideThePolicyIsReportedOnceWithItsName() throws Exception {
        try (Probe p = start("syscall", Integer.toString(GETPPID), "syscall", Integer.toString(GETPID));
             EventCollector events = violationsOf(p.pid())) {
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(GETPPID), Set.of()));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
            assertThat(v.kind()).isEqualTo(ViolationKind.SYSCALL);
            assertThat(v.syscall()).isEqualTo("getppid");
            assertThat(v.syscallNumber()).isEqualTo(GETPPID);
            assertThat(v.abi()).isEqualTo(Arch.current().id());
            assertThat(v.killed()).isFalse();
            assertThat(v.total()).isEqualTo(1);
            assertThat(v.process().mntnsId()).isEqualTo(p.mntnsId());
            assertThat(p.process().exitValue()).isZero();
            assertThat(enforcement.counts(p.mntns()).get(ViolationKind.SYSCALL).total()).isEqualTo(1);
        }
    }

    @Test
    void a32BitCallIsCheckedAgainstThe32BitSetUnderItsOwnName() throws Exception {
        io.eunomia.testkit.EvasionProbe.ia32Unavailable().ifPresent(reason -> {
            System.out.println("EnforceSensorTest: 32-bit call skipped, " + reason);
            org.junit.jupiter.api.Assumptions.abort(reason);
        });
        // ia32 getpid is 20; native 20 is writev, which the policy allows.
        try (Probe p = start("int80", Integer.toString(IA32_GETPID), "say", "done");
             EventCollector events = violationsOf(p.pid())) {
            EnforcementPolicy base = allBut(Set.of(), Set.of());
            BitSet compat = base.compatSyscalls();
            compat.clear(IA32_GETPID);
            enforcement.install(p.mntns(), p.mntnsId(), new EnforcementPolicy(base.nativeSyscalls(), compat,
                    base.capsGranted(), base.capsDenied(), base.executables(), Set.of()));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
            assertThat(v.syscall()).isEqualTo("getpid");
            assertThat(v.syscallNumber()).isEqualTo(IA32_GETPID);
            assertThat(v.abi()).isEqualTo("x86");
        }
    }

    @Test
    void enforceModeKillsTheProcessAtItsViolation() throws Exception {
        try (Probe p = start("syscall", Integer.toString(GETPPID), "say", "survived");
             EventCollector events = violationsOf(p.pid())) {
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(GETPPID), EnumSet.of(ViolationKind.SYSCALL)));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.process().exitValue()).as("exit status of a process killed by SIGKILL").isEqualTo(128 + 9);
            assertThat(new String(p.process().getInputStream().readAllBytes(), StandardCharsets.UTF_8)).doesNotContain("survived");
            ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
            assertThat(v.killed()).isTrue();
            assertThat(v.syscall()).isEqualTo("getppid");
        }
    }

    @Test
    void aTightLoopYieldsFewRecordsAndAnExactSuppressedCount() throws Exception {
        int n = 1_000_000;
        try (Probe p = start("syscall", Integer.toString(GETPPID), Integer.toString(n));
             EventCollector events = violationsOf(p.pid())) {
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(GETPPID), Set.of()));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            KernelEnforcement.Counts c = enforcement.counts(p.mntns()).get(ViolationKind.SYSCALL);
            assertThat(c.total()).isEqualTo(n);
            // Every violation is either a record or suppressed; the records carry all but the pending ones.
            long deadline = System.nanoTime() + WAIT.toNanos();
            List<ViolationEvent> got;
            do {
                Thread.sleep(50);
                got = events.drain().stream().map(ViolationEvent.class::cast).toList();
            } while (got.size() + c.suppressed() < n && System.nanoTime() < deadline);
            assertThat(got.size() + c.suppressed()).isEqualTo(n);
            assertThat(got.stream().mapToLong(ViolationEvent::suppressed).sum() + c.pending()).isEqualTo(c.suppressed());
            assertThat(got.size()).as("records for %d violations", n).isBetween(1, 200);
            assertThat(got.getLast().total()).isLessThanOrEqualTo(n);
        }
    }

    @Test
    void unlearnedExecutableIsReportedWithItsResolvedPath() throws Exception {
        Path truePath = Path.of("/usr/bin/true").toRealPath();
        try (Probe p = start("exec", probe, "exec", "/usr/bin/true");
             EventCollector events = violationsOf(p.pid())) {
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(), Set.of()));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
            // The probe's own exec came first and is allowed: the first violation is true's.
            assertThat(v.kind()).isEqualTo(ViolationKind.EXEC);
            assertThat(v.exe()).isEqualTo(truePath.toString());
        }
    }

    @Test
    void capabilityCheckOutsideThePolicyIsReported() throws Exception {
        Path file = Files.createTempFile("eunomia-enforce-", ".chown");
        try (Probe p = start("chown", file.toString(), "1");
             EventCollector events = violationsOf(p.pid())) {
            EnforcementPolicy base = allBut(Set.of(), Set.of());
            EnumSet<Capability> caps = EnumSet.allOf(Capability.class);
            caps.remove(Capability.CHOWN);
            enforcement.install(p.mntns(), p.mntnsId(), new EnforcementPolicy(base.nativeSyscalls(), base.compatSyscalls(),
                    caps, Set.of(), base.executables(), Set.of()));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
            assertThat(v.kind()).isEqualTo(ViolationKind.CAPABILITY);
            assertThat(v.capName()).isEqualTo("CAP_CHOWN");
            assertThat(v.capGranted()).isTrue();
            assertThat(v.syscall()).isIn("chown", "fchownat");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A workload program exec'd from a memfd (fileless: its file lies on no mount namespace, as a
     * runtime's memfd copy of itself does) is the workload: it was exec'd in the namespace. Its
     * exec came before the policy, so only where it was exec'd can tell (not its file).
     */
    @Test
    void aFilelessWorkloadProgramIsChecked() throws Exception {
        try (Probe p = start(List.of("memexec"), "syscall", Integer.toString(GETPPID));
             EventCollector events = violationsOf(p.pid())) {
            assertThat(Files.readSymbolicLink(Path.of("/proc", Integer.toString(p.pid()), "exe")).toString())
                    .startsWith("/memfd:");
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(GETPPID), Set.of()));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
            assertThat(v.kind()).isEqualTo(ViolationKind.SYSCALL);
            assertThat(v.syscall()).isEqualTo("getppid");
        }
    }

    @Test
    void aPolicyForAnotherNamespaceOfTheSameNumberIsNotApplied() throws Exception {
        try (Probe p = start("syscall", Integer.toString(GETPPID), "say", "called", "wait", "syscall", Integer.toString(GETPID));
             EventCollector events = violationsOf(p.pid())) {
            // The same number, another namespace's id (as after the number's reuse).
            enforcement.install(p.mntns(), p.mntnsId() + 1000, allBut(Set.of(GETPPID, GETPID), Set.of()));
            p.go();
            assertThat(p.nextLine()).as("getppid made before this namespace's policy goes in").isEqualTo("called");
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(GETPPID, GETPID), Set.of()));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
            assertThat(v.syscall()).as("getppid ran under the other namespace's policy: not this one's").isEqualTo("getpid");
        }
    }

    /** unshare(CLONE_NEWNS) in the workload's own code: its new namespace has no policy, its home's follows it. */
    @Test
    void aWorkloadThatUnsharesItsMountNamespaceStaysUnderItsPolicy() throws Exception {
        try (Probe p = start("unshare-mnt", "say", "moved", "wait", "syscall", Integer.toString(GETPPID));
             EventCollector events = violationsOf(p.pid())) {
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(GETPPID), Set.of()));
            p.go();
            assertThat(p.nextLine()).isEqualTo("moved");
            assertThat(Namespaces.mountNamespace(p.pid()).orElseThrow()).as("unshare moved it").isNotEqualTo(p.mntns());
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
            assertThat(v.syscall()).as("its allowed calls in the new namespace (unshare, write, read) raised nothing")
                    .isEqualTo("getppid");
            assertThat(enforcement.counts(p.mntns()).get(ViolationKind.SYSCALL).total())
                    .as("counted for the namespace whose policy it broke").isEqualTo(1);
        }
    }

    /** `unshare -m prog`: the program exec'd in the new namespace (no policy of its own) is checked by the old one's. */
    @Test
    void aProgramExecdAfterUnshareIsCheckedByThePolicyItCameFrom() throws Exception {
        try (Probe p = start("exec", "/usr/bin/unshare", "unshare", "-m", "--propagation", "private", probe,
                "syscall", Integer.toString(GETPPID));
             EventCollector events = violationsOf(p.pid())) {
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(GETPPID), Set.of()));
            p.go();
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            ViolationEvent v = events.await(ViolationEvent.class, e -> e instanceof ViolationEvent x
                    && x.kind() == ViolationKind.SYSCALL, WAIT);
            assertThat(v.syscall()).isEqualTo("getppid");
            assertThat(v.process().mntnsId()).as("made in the new namespace").isNotEqualTo(p.mntnsId());
        }
    }

    @Test
    void aRuntimeHelperThatEntersIsCheckedOnlyFromItsExec() throws Exception {
        try (Probe p = start("wait")) {
            enforcement.install(p.mntns(), p.mntnsId(), allBut(Set.of(GETPPID, SETNS), Set.of()));
            // nsenter (a host binary, like runc init) calls setns to enter, then execs the probe inside.
            Process helper = new ProcessBuilder("nsenter", "-t", Long.toString(p.pid()), "-m", probe, "syscall",
                    Integer.toString(GETPPID)).redirectErrorStream(true).start();
            try (EventCollector events = violationsOf((int) helper.pid())) {
                assertThat(helper.waitFor(60, TimeUnit.SECONDS)).isTrue();
                ViolationEvent v = events.await(ViolationEvent.class, e -> true, WAIT);
                assertThat(v.syscall()).as("setns came first, from the helper before its exec").isEqualTo("getppid");
            }
            p.go();
        }
    }

    /**
     * Nobody classifies here (as when the agent is slow or gone): the new namespace's process runs
     * to its end, and the kernel has recorded what its workload did from its first syscall on.
     */
    @Test
    void aNewNamespaceIsRecordedFromItsWorkloadsFirstSyscallAndNothingWaits() throws Exception {
        long self = ProcessHandle.current().pid();
        enforcement.markUnwatched(Namespaces.mountNamespace(self).orElseThrow(), Libc.mountNamespaceId(self).orElseThrow());
        enforcement.recordNewNamespaces(true);
        Process p = null;
        try {
            // The 32-bit call only where the kernel runs 32-bit code (EvasionProbe.ia32Unavailable).
            boolean ia32 = io.eunomia.testkit.EvasionProbe.ia32Unavailable().isEmpty();
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("unshare", "-m", "--propagation", "private",
                    probe, "syscall", Integer.toString(GETPPID)));
            if (ia32) {
                cmd.addAll(java.util.List.of("int80", Integer.toString(IA32_GETPID)));
            } else {
                System.out.println("EnforceSensorTest: without its 32-bit call, "
                        + io.eunomia.testkit.EvasionProbe.ia32Unavailable().orElseThrow());
            }
            cmd.addAll(java.util.List.of("say", "hello"));
            p = new ProcessBuilder(cmd).start();
            long pid = p.pid();
            KernelEnforcement.ExecNote note = nextNoteOf(pid);
            assertThat(note.exe()).isEqualTo(probe);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ran to its end, unclassified").isTrue();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
            PendingRecord r = enforcement.pending(note.process().mntns(), note.process().mntnsId()).orElseThrow();
            assertThat(r.mntnsId()).isEqualTo(note.process().mntnsId());
            assertThat(r.nativeSyscalls().get(GETPPID)).isTrue();
            if (ia32) {
                assertThat(r.compatSyscalls().get(IA32_GETPID)).isTrue();
                assertThat(r.compatSyscalls().cardinality()).as("32-bit calls apart").isEqualTo(1);
            } else {
                assertThat(r.compatSyscalls().isEmpty()).isTrue();
            }
            PendingRecord.Use getppid = r.firstUse(PendingRecord.UseKind.SYSCALL, GETPPID).orElseThrow();
            assertThat(getppid.pid()).isEqualTo((int) pid);
            // The first call logged is the workload's first after its exec, before getppid.
            PendingRecord.Use first = r.firstUses().getFirst();
            assertThat(first.pid()).isEqualTo((int) pid);
            assertThat(first.epochNanos()).isBetween(note.epochNanos(), getppid.epochNanos());
            assertThat(r.firstUses()).as("unshare's own calls before the exec are the runtime's, not recorded")
                    .noneMatch(u -> u.kind() == PendingRecord.UseKind.SYSCALL && u.number() == 272 /* unshare */);
            enforcement.forgetPending(r.mntns(), r.mntnsId());
            assertThat(enforcement.pending(r.mntns(), r.mntnsId())).isEmpty();
        } finally {
            enforcement.recordNewNamespaces(false);
            if (p != null) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** A host process in a fresh mount namespace while new namespaces are recorded and nobody classifies: never stopped. */
    @Test
    void aHostProcessInAFreshMountNamespaceIsNeverStopped() throws Exception {
        long self = ProcessHandle.current().pid();
        enforcement.markUnwatched(Namespaces.mountNamespace(self).orElseThrow(), Libc.mountNamespaceId(self).orElseThrow());
        enforcement.recordNewNamespaces(true);
        Process p = null;
        try {
            p = new ProcessBuilder("unshare", "-m", probe, "say", "started", "sleep", "1500", "say", "done").start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("started");
            List<String> states = Procs.statesUntilExit(p, 5);
            assertThat(states).as("sampled while it ran").hasSizeGreaterThan(10).doesNotContain("T", "t"); // every 5 ms asked, fewer on a loaded machine
            assertThat(p.exitValue()).isZero();
            assertThat(out.readLine()).isEqualTo("done");
            KernelEnforcement.ExecNote note = nextNoteOf(p.pid());
            assertThat(enforcement.pending(note.process().mntns(), note.process().mntnsId()))
                    .as("it was recorded as a namespace nobody had classified").isPresent();
            enforcement.forgetPending(note.process().mntns(), note.process().mntnsId());
        } finally {
            enforcement.recordNewNamespaces(false);
            if (p != null) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** The exec note of pid; others' (the host's new namespaces) are left, and their records dropped. */
    private static KernelEnforcement.ExecNote nextNoteOf(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            var n = enforcement.nextNote(Duration.ofMillis(50));
            if (n.isPresent() && n.get().process().pid() == pid) {
                return n.get();
            }
            n.ifPresent(o -> enforcement.forgetPending(o.process().mntns(), o.process().mntnsId()));
        }
        throw new AssertionError("no exec note of pid " + pid + " within " + WAIT);
    }
}
