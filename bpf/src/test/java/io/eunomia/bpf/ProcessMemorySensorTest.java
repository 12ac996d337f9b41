package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.event.SyscallEvent;
import io.eunomia.testkit.EvasionProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * process_vm_readv/writev (priv_calls.h): another process's memory read or written, the way credential
 * dumpers and injectors do it without ptrace. The probe (evade.c vmread/vmwrite) copies 16 bytes of a
 * real forked child's memory; the record names the target pid, the result and whether the target was
 * the caller itself (own).
 */
class ProcessMemorySensorTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final Pattern PRINTED = Pattern.compile("target (\\d+) result (-?\\d+) data (\\S+)");
    private static final long ESRCH = 3;
    private static final long EPERM = 1;
    private static KernelSensors sensors;

    @BeforeAll
    static void load() {
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.SYSCALL))
                .withCompatCalls(Arch.current() == Arch.X86_64));
    }

    @AfterAll
    static void unload() {
        if (sensors != null) {
            sensors.close();
        }
    }

    /** What the probe did: its pid, the target pid it named, the call's result and the 16 bytes it holds after. */
    private record Act(long pid, long target, long result, String data) {}

    private static Act act(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(EvasionProbe.binary().toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static Act run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        Matcher m = PRINTED.matcher(out);
        assertThat(m.find()).as("probe output: %s", out).isTrue();
        return new Act(p.pid(), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3));
    }

    private static SyscallEvent eventOf(EventCollector events, Act act, String call) throws InterruptedException {
        return events.await(SyscallEvent.class, e -> e.process().pid() == act.pid() && e.syscall().equals(call), WAIT);
    }

    @Test
    void readOfAChildsMemoryNamesTheChildAndTheBytesCopied() throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Act act = act("vmread", "child");
            assertThat(act.data()).isEqualTo("child-memory...."); // the child's copy, really read
            SyscallEvent e = eventOf(events, act, "process_vm_readv");
            assertThat(e.arg("pid", -1)).isEqualTo(act.target());
            assertThat(e.arg("own", -1)).isZero();
            assertThat(e.result()).isEqualTo(16);
        }
    }

    @Test
    void writeIntoAChildsMemoryIsReportedToo() throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Act act = act("vmwrite", "child");
            SyscallEvent e = eventOf(events, act, "process_vm_writev");
            assertThat(e.arg("pid", -1)).isEqualTo(act.target());
            assertThat(e.arg("own", -1)).isZero();
            assertThat(e.result()).isEqualTo(16);
        }
    }

    @Test
    void readOfAReapedChildFailsWithEsrch() throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Act act = act("vmread", "gone");
            assertThat(act.result()).isEqualTo(-ESRCH);
            SyscallEvent e = eventOf(events, act, "process_vm_readv");
            assertThat(e.arg("pid", -1)).isEqualTo(act.target());
            assertThat(e.result()).isEqualTo(-ESRCH);
            assertThat(e.succeeded()).isFalse();
        }
    }

    @Test
    void readOfInitByNobodyFailsWithEperm() throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Act act = run(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    EvasionProbe.binary().toString(), "vmread", "1"));
            assertThat(act.result()).isEqualTo(-EPERM);
            SyscallEvent e = eventOf(events, act, "process_vm_readv"); // setpriv execs the probe: the same pid
            assertThat(e.arg("pid", -1)).isEqualTo(1);
            assertThat(e.arg("own", -1)).isZero();
            assertThat(e.result()).isEqualTo(-EPERM);
            assertThat(e.process().uid()).isEqualTo(65534);
        }
    }

    @Test
    void readOfItsOwnMemoryIsMarkedOwn() throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Act act = act("vmread", "self");
            assertThat(act.target()).isEqualTo(act.pid());
            SyscallEvent e = eventOf(events, act, "process_vm_readv");
            assertThat(e.arg("pid", -1)).isEqualTo(act.pid());
            assertThat(e.arg("own", -1)).isEqualTo(1);
            assertThat(e.result()).isEqualTo(16);
        }
    }

    @Test
    void thirtyTwoBitCallsAreTheNativeOnes() throws Exception {
        Assumptions.assumeTrue(Arch.current() == Arch.X86_64, "the ia32 ABI exists on x86_64 only; this is " + Arch.current());
        EvasionProbe.ia32Unavailable().ifPresent(reason -> {
            System.out.println("ProcessMemorySensorTest: 32-bit calls skipped, " + reason);
            Assumptions.abort(reason);
        });
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Act read = act("vmread32", "child");
            Act write = act("vmwrite32", "child");
            Act self = act("vmread32", "self");
            assertThat(read.data()).isEqualTo("child-memory....");
            SyscallEvent r = eventOf(events, read, "process_vm_readv");
            SyscallEvent w = eventOf(events, write, "process_vm_writev");
            SyscallEvent s = eventOf(events, self, "process_vm_readv");
            assertThat(r.arg("pid", -1)).isEqualTo(read.target());
            assertThat(r.arg("own", -1)).isZero();
            assertThat(r.result()).isEqualTo(16);
            assertThat(w.arg("pid", -1)).isEqualTo(write.target());
            assertThat(w.result()).isEqualTo(16);
            assertThat(s.arg("own", -1)).isEqualTo(1);
        }
    }
}
