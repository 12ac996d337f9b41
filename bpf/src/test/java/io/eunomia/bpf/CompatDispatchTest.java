package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.event.FileEvent;
import io.eunomia.event.NetEvent;
import io.eunomia.testkit.EvasionProbe;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared 32-bit call dispatcher (compat32.bpf.c) follows the sensors switched on and off at
 * run time: attached while one sensor with compat programs is, detached with the last, and a
 * 32-bit call reaches exactly the sensors attached (where the kernel runs 32-bit code).
 */
class CompatDispatchTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    /** FILE and NET with their compat programs, loaded once (the file sensor's take most of its verifier time). */
    private static KernelSensors ks;

    @BeforeAll
    static void load() {
        Assumptions.assumeTrue(Arch.current() == Arch.X86_64, "the ia32 ABI exists on x86_64 only; this is " + Arch.current());
        ks = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE, Sensor.NET)).withCompatCalls(true));
    }

    @AfterAll
    static void unload() {
        if (ks != null) {
            ks.close();
        }
    }

    /** Each test starts as the sensors started: FILE and NET attached (another test may have switched them). */
    @BeforeEach
    void bothAttached() {
        ks.attach(Sensor.FILE);
        ks.attach(Sensor.NET);
        assertThat(ks.attached()).contains(Sensor.FILE, Sensor.NET);
    }

    @Test
    void theDispatcherIsAttachedWhileASensorWithCompatProgramsIs() {
        assertThat(ks.compatDispatchAttached()).isTrue();
        assertThat(ks.detach(Sensor.FILE)).isTrue();
        assertThat(ks.compatDispatchAttached()).as("NET is still attached").isTrue();
        assertThat(ks.detach(Sensor.NET)).isTrue();
        assertThat(ks.compatDispatchAttached()).as("no sensor left").isFalse();
        assertThat(ks.attach(Sensor.NET)).isTrue();
        assertThat(ks.compatDispatchAttached()).isTrue();
        // A sensor loaded at run time plugs into the same dispatcher.
        assertThat(ks.attach(Sensor.SYSCALL)).isTrue();
        assertThat(ks.detach(Sensor.NET)).isTrue();
        assertThat(ks.compatDispatchAttached()).as("SYSCALL is attached").isTrue();
        // NET has compat programs too, and loads in a fraction of FILE's verifier time.
        try (KernelSensors none = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.NET)).withCompatCalls(false))) {
            assertThat(none.compatDispatchAttached()).as("compat calls off").isFalse();
        }
        try (KernelSensors cap = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.CAP)))) {
            assertThat(cap.compatDispatchAttached()).as("the cap sensor has no compat programs").isFalse();
        }
    }

    /**
     * No sensor with compat programs at start, so no dispatcher was loaded then: the first one
     * attached at run time loads it (before: a NullPointerException in CallDispatchers.shareCompat).
     */
    @Test
    void aSensorAttachedAtRunTimeLoadsTheDispatcherNoneAtStartNeeded() throws Exception {
        Assumptions.assumeTrue(Arch.current() == Arch.X86_64, "the ia32 ABI exists on x86_64 only; this is " + Arch.current());
        try (KernelSensors ks = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.CAP)).withCompatCalls(true));
             EventCollector events = new EventCollector(ks, e -> e instanceof NetEvent)) {
            assertThat(ks.compatDispatchAttached()).as("the cap sensor has no compat programs").isFalse();
            assertThat(ks.attach(Sensor.NET)).isTrue();
            assertThat(ks.compatDispatchAttached()).isTrue();
            assertThat(ks.attach(Sensor.FILE)).as("a second one shares the same dispatcher").isTrue();
            java.util.Optional<String> noIa32 = EvasionProbe.ia32Unavailable();
            if (noIa32.isEmpty()) {
                long seen = CompatCallsTest.run("connect32", "127.0.0.1", "9");
                events.await(NetEvent.class, n -> n.process().pid() == seen, WAIT);
            } else {
                System.out.println("CompatDispatchTest: no 32-bit call made here, " + noIa32.get());
            }
        }
    }

    @Test
    void a32BitCallReachesTheSensorsAttachedNow() throws Exception {
        CompatCallsTest.requireIa32();
        try (EventCollector events = new EventCollector(ks, e -> e instanceof FileEvent || e instanceof NetEvent)) {
            ks.detach(Sensor.FILE);
            long hidden = CompatCallsTest.run("open32", "/etc/shadow");
            long seen = CompatCallsTest.run("connect32", "127.0.0.1", "9");
            events.await(NetEvent.class, n -> n.process().pid() == seen, WAIT);
            ks.attach(Sensor.FILE);
            long again = CompatCallsTest.run("open32", "/etc/shadow");
            events.await(FileEvent.class, f -> f.process().pid() == again && f.path().equals("/etc/shadow"), WAIT);
            assertThat(events.drain()).noneMatch(e -> e.process().pid() == hidden);
        }
    }
}
