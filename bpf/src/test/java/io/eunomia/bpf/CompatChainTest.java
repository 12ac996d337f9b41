package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.SyscallEvent;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.testkit.EvasionProbe;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The path from the shared program arrays to the sensors' compat programs, on any x86_64 kernel
 * (also one that runs no 32-bit code): a test stand-in for the dispatcher (compat_standin.bpf.c)
 * hands two NATIVE calls of the probe to them through the real arrays, and the sensors read them as
 * the 32-bit calls of the same numbers, from the ia32 registers the probe set. The open reaches the
 * file sensor's slot (0); the kill is passed on by the file and net programs to the priv sensor's
 * slot (2). Only the dispatcher's own status-word check is left out (compat32.bpf.c).
 */
class CompatChainTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    @Test
    void callsHandedToTheSharedArraysReachEverySensorPluggedIn() throws Exception {
        Assumptions.assumeTrue(Arch.current() == Arch.X86_64, "the ia32 ABI exists on x86_64 only; this is " + Arch.current());
        String path = "/tmp/eunomia-compat-chain-" + ProcessHandle.current().pid();
        try (KernelSensors ks = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE, Sensor.NET, Sensor.SYSCALL)).withCompatCalls(true));
             EventCollector events = new EventCollector(ks, e -> e instanceof FileEvent || e instanceof SyscallEvent);
             BpfObject standin = BpfObject.open("compat_standin.bpf.o", resource("/io/eunomia/bpf/compat_standin.bpf.o"))) {
            BpfObject dispatcher = ks.compatDispatcher().orElseThrow();
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
        try (InputStream in = CompatChainTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
