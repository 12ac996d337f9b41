package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetEvent;
import io.eunomia.event.SyscallEvent;
import io.eunomia.testkit.EvasionProbe;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 32-bit calls (int $0x80) skip the syscalls:* tracepoints on x86_64; the file, net and priv
 * sensors' compat programs (syscall.bpf.h: COMPAT_PROGRAMS) report them as their native forms.
 */
class CompatCallsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static KernelSensors sensors;

    @BeforeAll
    static void load() {
        Assumptions.assumeTrue(Arch.current() == Arch.X86_64, "the ia32 ABI exists on x86_64 only; this is " + Arch.current());
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE, Sensor.NET, Sensor.SYSCALL)));
    }

    @AfterAll
    static void unload() {
        if (sensors != null) {
            sensors.close();
        }
    }

    private static long run(String... args) throws Exception {
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
    void socketcallConnectIsAConnect() throws Exception {
        try (EventCollector events = new EventCollector(sensors, NetEvent.class::isInstance)) {
            long pid = run("connect32", "127.0.0.1", "9");
            NetEvent e = events.await(NetEvent.class, n -> n.process().pid() == pid, WAIT);
            assertThat(e.syscall()).isEqualTo("connect");
            assertThat(e.remotePort()).isEqualTo(9);
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

    @Test
    void withoutTheCompatProgramsA32BitOpenIsInvisible() throws Exception {
        // What the programs are for: the per-syscall tracepoints alone never see the call.
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
}
