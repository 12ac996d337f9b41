package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.abi.Arch;
import io.eunomia.bpf.internal.Ia32Probe;
import io.eunomia.testkit.EvasionProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run-time question "does this kernel run 32-bit calls?" (Ia32Probe, a program made from bytes)
 * and what the sensors do with the answer: the dispatcher that costs every syscall is attached only
 * where a 32-bit call can be made, unless forced on or off.
 */
class Compat32WatchTest {
    @BeforeEach
    void x86_64() {
        Assumptions.assumeTrue(Arch.current() == Arch.X86_64, "the ia32 probe is an x86-64 program; this is " + Arch.current());
    }

    @Test
    void theGeneratedProgramRunsItsSixtyFourBitExitPath() throws Exception {
        Path dir = Files.createTempDirectory("eunomia-ia32-test-");
        try {
            Ia32Probe.Answer a = Ia32Probe.run(dir, false);
            assertThat(a.verdict()).as(a.detail()).isEqualTo(Ia32Probe.Verdict.RUNS);
            try (var left = Files.list(dir)) {
                assertThat(left).as("the probe's directory is removed").isEmpty();
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void theProbeAgreesWithTheCompiledThirtyTwoBitProgram() throws Exception {
        // evade probe32 (testkit, built with gcc) makes a 32-bit call the ordinary way.
        Optional<String> missing = EvasionProbe.ia32Unavailable();
        Path dir = Files.createTempDirectory("eunomia-ia32-test-");
        try {
            Ia32Probe.Answer a = Ia32Probe.run(dir, true);
            if (missing.isPresent()) {
                assertThat(a.verdict()).as(a.detail()).isEqualTo(Ia32Probe.Verdict.REFUSED);
                assertThat(a.detail()).contains("SIGSEGV");
            } else {
                assertThat(a.verdict()).as(a.detail()).isEqualTo(Ia32Probe.Verdict.RUNS);
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aProbeThatCannotBeExecutedSaysNothing() throws Exception {
        Path mnt = Files.createTempDirectory("eunomia-ia32-noexec-");
        try {
            run("mount", "-t", "tmpfs", "-o", "noexec,size=1m", "tmpfs", mnt.toString());
            try {
                Ia32Probe.Answer a = Ia32Probe.run(mnt.resolve("state"), true);
                assertThat(a.verdict()).isEqualTo(Ia32Probe.Verdict.UNKNOWN);
                assertThat(a.detail()).contains("cannot run the probe");
            } finally {
                run("umount", mnt.toString());
            }
        } finally {
            Files.deleteIfExists(mnt);
        }
    }

    /** With NET, a sensor that has compat programs and loads in a fraction of FILE's verifier time. */
    @Test
    void autoAttachesTheDispatcherOnlyWhereThirtyTwoBitCallsRun() {
        boolean runs = EvasionProbe.ia32Unavailable().isEmpty();
        try (KernelSensors ks = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.NET)).withCompat32(Compat32.AUTO))) {
            assertThat(ks.compat32().watched()).as(ks.compat32().toString()).isEqualTo(runs);
            assertThat(ks.compatDispatchAttached()).isEqualTo(runs);
            if (!runs) {
                assertThat(ks.compat32().toString())
                        .isEqualTo("32-bit calls: not watched: this kernel runs no 32-bit code (int $0x80 killed the probe by SIGSEGV)");
                assertThat(ks.compatProgramFds()).isEmpty();
            }
        }
        try (KernelSensors forced = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.NET)).withCompat32(Compat32.ON))) {
            assertThat(forced.compatDispatchAttached()).as("forced on").isTrue();
        }
    }

    @Test
    void theSettingIsAutoOnOrOff() {
        assertThat(Compat32.parse(" Off ", "-Deunomia.compat32")).isEqualTo(Compat32.OFF);
        assertThat(Compat32.parse("auto", "x")).isEqualTo(Compat32.AUTO);
        assertThatThrownBy(() -> Compat32.parse("maybe", "-Deunomia.compat32"))
                .hasMessage("-Deunomia.compat32: 'maybe' is not one of auto, on, off");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
