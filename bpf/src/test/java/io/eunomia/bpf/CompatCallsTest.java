package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.event.CapEvent;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetEvent;
import io.eunomia.event.SyscallEvent;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.testkit.EvasionProbe;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 32-bit calls (int $0x80) skip the syscalls:* tracepoints on x86_64; the file, net, priv and
 * process sensors' compat programs (syscall.bpf.h: COMPAT_PROGRAMS), reached through the shared
 * dispatcher (compat32.bpf.c), report them as their native forms. Each 32-bit act is compared with
 * the event of its native form, made by the same probe. On a kernel that runs no 32-bit code
 * (ia32 emulation off: EvasionProbe#ia32Unavailable) the acts are skipped with that reason; the
 * programs are still loaded and plugged into the dispatcher (the verifier and the kernel's tail-call
 * rules judge them) in {@link #load}.
 */
class CompatCallsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static KernelSensors sensors;

    @BeforeAll
    static void load() {
        Assumptions.assumeTrue(Arch.current() == Arch.X86_64, "the ia32 ABI exists on x86_64 only; this is " + Arch.current());
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE, Sensor.NET, Sensor.SYSCALL, Sensor.CAP,
                Sensor.PROCESS)).withCompatCalls(true));
        assertThat(sensors.compatDispatchAttached()).isTrue();
    }

    /** The 32-bit acts need a kernel that runs 32-bit calls: skipped, with the reason, where it does not. */
    static void requireIa32() {
        EvasionProbe.ia32Unavailable().ifPresent(reason -> {
            System.out.println("CompatCallsTest: skipped, " + reason);
            Assumptions.abort(reason);
        });
    }

    @AfterAll
    static void unload() {
        if (sensors != null) {
            sensors.close();
        }
    }

    /** Runs the probe (32-bit acts skipped, with the reason, where the kernel runs none); returns its pid. */
    static long run(String... args) throws Exception {
        requireIa32();
        List<String> cmd = new java.util.ArrayList<>(List.of(EvasionProbe.binary().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return p.pid();
    }

    @Test
    void openThroughInt80IsAnOpenWithItsResolvedPath() throws Exception {
        try (EventCollector events = new EventCollector(sensors, FileEvent.class::isInstance)) {
            long pid = run("open32", "/etc/../etc/shadow");
            FileEvent e = events.await(FileEvent.class, f -> f.process().pid() == pid && f.op() == FileOp.OPEN
                    && f.path().equals("/etc/shadow"), WAIT);
            assertThat(e.syscall()).isEqualTo("open");
            assertThat(e.result()).isGreaterThanOrEqualTo(0);
            assertThat(e.flags() & 03).isZero();
        }
    }

    @Test
    void timesSetThroughInt80AreUtimesWithTheirTimes() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("eunomia-compat-", ".ts").toRealPath();
        try (EventCollector events = new EventCollector(sensors, FileEvent.class::isInstance)) {
            long pid = run("utimes32", f.toString());
            // utime is the last call: its record comes after the others' (one ring).
            events.await(FileEvent.class, e -> e.process().pid() == pid && e.op() == FileOp.UTIMES && e.syscall().equals("utime"), WAIT);
            java.util.List<String> got = new java.util.ArrayList<>();
            for (var e : events.drain()) {
                if (e instanceof FileEvent u && u.process().pid() == pid && u.op() == FileOp.UTIMES) {
                    got.add(u.syscall() + " " + u.path() + " " + u.result() + " " + u.times().atime().orElseThrow() + " "
                            + u.times().mtime().orElseThrow());
                }
            }
            assertThat(got).containsExactly(
                    "utimensat " + f + " 0 2001-01-01T00:00:00.000000005Z 2001-01-01T00:00:01.000000006Z",
                    "utimensat " + f + " 0 2001-01-01T00:00:06.000000010Z 2001-01-01T00:00:07.000000011Z",
                    "futimesat " + f + " 0 2001-01-01T00:00:08.000012Z 2001-01-01T00:00:09.000013Z",
                    "utimes " + f + " 0 2001-01-01T00:00:02.000007Z 2001-01-01T00:00:03.000008Z",
                    "utime " + f + " 0 2001-01-01T00:00:04Z 2001-01-01T00:00:05Z");
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    @Test
    void socketcallConnectIsAConnect() throws Exception {
        try (EventCollector events = new EventCollector(sensors, NetEvent.class::isInstance)) {
            long pid = run("connect32", "127.0.0.1", "9");
            NetEvent e = events.await(NetEvent.class, n -> n.process().pid() == pid, WAIT);
            assertThat(e.syscall()).isEqualTo("connect");
            assertThat(e.remotePort()).isEqualTo(9);
        }
    }

    /**
     * socketcall's args[] (and a connect's sockaddr) in a page below 4 GiB no access has faulted in: the
     * array cannot be read at sys_enter (no fault may be taken there), so the call is unpacked at its
     * exit, after the kernel's copy. Before, such a socketcall was not reported at all.
     */
    @Test
    void aSocketcallWhoseArgumentsLieInAnUntouchedPageIsStillItsCall() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> e instanceof NetEvent || e instanceof SyscallEvent)) {
            long connecting = run("connect32-cold", "127.0.0.1", "9");
            NetEvent c = events.await(NetEvent.class, n -> n.process().pid() == connecting, WAIT);
            assertThat(c.syscall()).isEqualTo("connect");
            assertThat(c.remoteAddr()).isEqualTo("127.0.0.1");
            assertThat(c.remotePort()).isEqualTo(9);
            long raw = run("socket32-cold", "17", "3");  // AF_PACKET, SOCK_RAW
            SyscallEvent s = events.await(SyscallEvent.class, e -> e.process().pid() == raw && e.syscall().equals("socket"), WAIT);
            assertThat(s.args()).containsEntry("family", 17L).containsEntry("type", 3L);
            assertThat(s.result()).isNotNegative();
        }
    }

    @Test
    void setuid32IsASetuidWithTheCallersIdsFromBefore() throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            long pid = run("setuid32", "0");
            SyscallEvent e = events.await(SyscallEvent.class, s -> s.process().pid() == pid
                    && s.syscall().equals("setuid"), WAIT);
            assertThat(e.args()).containsEntry("uid", 0L).containsEntry("prev_uid", 65534L);
            assertThat(e.result()).isEqualTo(-1);
        }
    }

    /** The native form's event, then the 32-bit form's, by the probe's modes NAME and NAME32. */
    private static SyscallEvent[] bothWays(EventCollector events, String syscall, String mode, String... args) throws Exception {
        SyscallEvent[] out = new SyscallEvent[2];
        for (int i = 0; i < 2; i++) {
            List<String> a = new java.util.ArrayList<>(List.of(i == 0 ? mode : mode + "32"));
            a.addAll(List.of(args));
            long pid = run(a.toArray(String[]::new));
            out[i] = events.await(SyscallEvent.class, s -> s.process().pid() == pid && s.syscall().equals(syscall), WAIT);
        }
        return out;
    }

    @Test
    void killPtraceSocketBpfAndChmodThrough32BitCallsAreTheirNativeCalls() throws Exception {
        requireIa32();
        Process target = new ProcessBuilder("sleep", "30").start();
        java.nio.file.Path file = java.nio.file.Files.createTempFile("eunomia-compat-", ".bin");
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            String pid = Long.toString(target.pid());
            for (SyscallEvent e : bothWays(events, "kill", "kill", pid, "18")) {  // SIGCONT: harmless
                assertThat(e.args()).containsEntry("pid", target.pid()).containsEntry("sig", 18L);
                assertThat(e.result()).isZero();
            }
            for (SyscallEvent e : bothWays(events, "ptrace", "ptrace", pid)) {
                assertThat(e.args()).containsEntry("request", 16L).containsEntry("pid", target.pid());
            }
            // socketcall(SYS_SOCKET, {AF_PACKET, SOCK_RAW, 0}) on the 32-bit side
            for (SyscallEvent e : bothWays(events, "socket", "socket", "17", "3")) {
                assertThat(e.args()).containsEntry("family", 17L).containsEntry("type", 3L);
            }
            for (SyscallEvent e : bothWays(events, "bpf", "bpf")) {
                assertThat(e.args()).containsEntry("cmd", 0L);
                assertThat(e.result()).isNegative();
            }
            for (SyscallEvent e : bothWays(events, "chmod", "chmod", file.toString(), "4755")) {
                assertThat(e.args()).containsEntry("mode", 04755L);
                assertThat(e.strings()).containsEntry("path", file.toString());
            }
        } finally {
            target.destroyForcibly();
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /**
     * A 32-bit setuid chmod whose path is rewritten while it waits for the file's lock (evade.c
     * chmod-flip chmod32): its on_enter kept the text, so the record names the file made setuid, flagged.
     */
    @Test
    void a32BitSetuidChmodRewrittenDuringTheCallNamesTheFileMadeSetuid() throws Exception {
        requireIa32();
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("eunomia-compat-").toRealPath();
        java.nio.file.Path real = java.nio.file.Files.writeString(dir.resolve("real"), "x");
        java.nio.file.Path decoy = java.nio.file.Files.writeString(dir.resolve("decoy"), "x");
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            ProbeRun r = ProbeRun.of("chmod-flip", "chmod32", real.toString(), decoy.toString());
            SyscallEvent e = events.await(SyscallEvent.class, s -> s.process().pid() == r.pid() && s.syscall().equals("chmod"), WAIT);
            assertThat(e.strings()).as(r.output()).containsEntry("path", real.toString());
            assertThat(e.textChanged()).isTrue();
            assertThat(e.result()).isZero();
        } finally {
            for (java.nio.file.Path f : List.of(real, decoy, dir)) {
                java.nio.file.Files.deleteIfExists(f);
            }
        }
    }

    @Test
    void aFailed32BitExecveIsAFailedExec() throws Exception {
        try (EventCollector events = new EventCollector(sensors, ExecEvent.class::isInstance)) {
            String missing = "/nonexistent-" + ProcessHandle.current().pid() + "/prog";
            long[] pids = {run("exec", missing), run("exec32", missing)};
            for (long pid : pids) {
                ExecEvent e = events.await(ExecEvent.class, x -> x.process().pid() == pid && x.result() < 0, WAIT);
                assertThat(e.exe()).isEqualTo(missing);
                assertThat(e.argv()).containsExactly(missing, "x");
                assertThat(e.result()).isEqualTo(-2);  // ENOENT
            }
        }
    }

    @Test
    void withoutTheCompatProgramsA32BitOpenIsInvisible() throws Exception {
        // What the programs are for: the per-syscall tracepoints alone never see the call.
        requireIa32(); // before loading: where the act is skipped, the sensors would be loaded for nothing
        try (KernelSensors plain = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE)).withCompatCalls(false));
             EventCollector events = new EventCollector(plain, FileEvent.class::isInstance)) {
            long hidden = run("open32", "/etc/shadow");
            // The barrier: a native open after it, by another process, seen by the same sensor.
            Process cat = new ProcessBuilder("cat", "/etc/shadow").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(cat.waitFor()).isZero();
            events.await(FileEvent.class, f -> f.process().pid() == cat.pid() && f.path().equals("/etc/shadow"), WAIT);
            assertThat(events.drain()).noneMatch(e -> e.process().pid() == hidden && e.process().comm().equals("evade"));
        }
    }

    @Test
    void aCapabilityCheckInsideA32BitCallNamesThatCall() throws Exception {
        try (EventCollector events = new EventCollector(sensors, CapEvent.class::isInstance)) {
            long native64 = run("setuid", "0");
            long compat = run("setuid32", "0");
            // The denied check (after the probe dropped to 65534; its setresuid's check was granted).
            // ia32 213 is setuid32; read from the native table it would be epoll_create.
            CapEvent e = events.await(CapEvent.class, c -> c.process().pid() == compat
                    && c.capName().equals("CAP_SETUID") && !c.granted(), WAIT);
            assertThat(e.syscall()).isEqualTo("setuid32");
            CapEvent n = events.await(CapEvent.class, c -> c.process().pid() == native64
                    && c.capName().equals("CAP_SETUID") && !c.granted(), WAIT);
            assertThat(n.syscall()).isEqualTo("setuid");
        }
    }

    /**
     * The path from the shared program arrays to the sensors' compat programs, on any x86_64 kernel
     * (also one that runs no 32-bit code): a test stand-in for the dispatcher (compat_standin.bpf.c)
     * hands two NATIVE calls of the probe to them through the real arrays, and the sensors read them as
     * the 32-bit calls of the same numbers, from the ia32 registers the probe set. The open reaches the
     * file sensor's slot (0); the kill is passed on by the file and net programs to the priv sensor's
     * slot (2). Only the dispatcher's own status-word check is left out (compat32.bpf.c). (It was
     * CompatChainTest, which loaded the same sensors with their compat programs once more for it.)
     */
    @Test
    void callsHandedToTheSharedArraysReachEverySensorPluggedIn() throws Exception {
        String path = "/tmp/eunomia-compat-chain-" + ProcessHandle.current().pid();
        try (EventCollector events = new EventCollector(sensors, e -> e instanceof FileEvent || e instanceof SyscallEvent);
             BpfObject standin = BpfObject.open("compat_standin.bpf.o", resource("/io/eunomia/bpf/compat_standin.bpf.o"))) {
            BpfObject dispatcher = sensors.compatDispatcher().orElseThrow();
            for (String calls : new String[] {"compat_enter_calls", "compat_exit_calls"}) {
                standin.map(calls).reuseFd(dispatcher.map(calls).fd());
            }
            standin.load();
            standin.attachAll();
            Process probe = new ProcessBuilder(EvasionProbe.binary().toString(), "standin", path, "4242")
                    .redirectErrorStream(true).start();
            standin.map("standin_target").update(u32(0), u32((int) probe.pid()));
            probe.getOutputStream().write('\n');
            probe.getOutputStream().flush();
            String out = new String(probe.getInputStream().readAllBytes());
            assertThat(probe.waitFor()).as(out).isZero();

            FileEvent open = events.await(FileEvent.class, f -> f.process().pid() == probe.pid() && f.path().equals(path), WAIT);
            assertThat(open.op()).isEqualTo(FileOp.OPEN);
            assertThat(open.syscall()).isEqualTo("open");
            assertThat(open.result()).as("fstat(-1)'s result").isEqualTo(-9);
            SyscallEvent kill = events.await(SyscallEvent.class, s -> s.process().pid() == probe.pid()
                    && s.syscall().equals("kill"), WAIT);
            assertThat(kill.args()).containsEntry("pid", 4242L);
            assertThat(kill.result()).as("alarm(0)'s result").isZero();
        }
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = CompatCallsTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
