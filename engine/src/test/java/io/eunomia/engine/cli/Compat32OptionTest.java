package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.Compat32;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.engine.Main;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --compat32=auto|on|off} on the commands that attach sensors: parsed into the sensor
 * options (the system property only when the option is absent), a bad value is a usage error
 * naming the option, and {@code on} attaches the 32-bit call dispatcher here, where auto would not
 * (this VM runs no 32-bit code; Compat32WatchTest covers auto).
 */
class Compat32OptionTest {
    private static final SensorOptions FILE = SensorOptions.of(EnumSet.of(Sensor.FILE));
    /** A sensor with compat programs that loads in a fraction of FILE's verifier time. */
    private static final SensorOptions NET = SensorOptions.of(EnumSet.of(Sensor.NET));

    @Test
    void theOptionSetsTheSensorsChoiceOnMonitorEnforceAndTrace() {
        MonitorCommand monitor = new MonitorCommand();
        new CommandLine(monitor).parseArgs("--compat32=ON");
        assertThat(monitor.compat32.apply(FILE).compat32()).isEqualTo(Compat32.ON);

        EnforceCommand enforce = new EnforceCommand();
        new CommandLine(enforce).parseArgs("--profile", "p.yaml", "--compat32", "off");
        assertThat(enforce.compat32.apply(FILE).compat32()).isEqualTo(Compat32.OFF);

        TraceCommand trace = new TraceCommand();
        new CommandLine(trace).parseArgs("--compat32=auto");
        assertThat(trace.compat32.apply(FILE.withCompat32(Compat32.ON)).compat32()).isEqualTo(Compat32.AUTO);

        TraceCommand absent = new TraceCommand();
        new CommandLine(absent).parseArgs();
        assertThat(absent.compat32.apply(FILE.withCompat32(Compat32.OFF)).compat32())
                .as("without the option the property's choice stays").isEqualTo(Compat32.OFF);
    }

    @Test
    void onAttachesTheDispatcher() {
        TraceCommand trace = new TraceCommand();
        new CommandLine(trace).parseArgs("--compat32=on");
        try (KernelSensors ks = KernelSensors.start(trace.compat32.apply(NET))) {
            assertThat(ks.compat32().watched()).isTrue();
            assertThat(ks.compat32().toString()).contains("forced on: --compat32=on");
            assertThat(ks.compatDispatchAttached()).as("the shared sys_enter/sys_exit pair").isTrue();
            assertThat(ks.compatProgramFds().keySet()).as("the dispatcher's pair and the net sensor's compat programs")
                    .anyMatch(k -> k.startsWith("compat32:")).anyMatch(k -> k.startsWith("net:"));
        }
    }

    @Test
    void aBadValueIsAUsageErrorNamingTheOption() throws Exception {
        for (String command : List.of("monitor", "trace")) {
            Process p = EunomiaProcess.builder(command, "--compat32=maybe").start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(err).isEqualTo(Main.EXIT_USAGE);
            assertThat(err).as(command).contains("Invalid value for option '--compat32': 'maybe' is not one of auto, on, off")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void theMonitorSaysItWatchesThemAndLogsItsStartUpPhases() throws Exception {
        ProcessBuilder pb = EunomiaProcess.builder(List.of(), Map.of("EUNOMIA_LOG", "debug"), System.getProperty("java.class.path"),
                "monitor", "--compat32=on", "--no-metrics", "--no-control", "--no-rule-cache", "--duration", "0.2");
        Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(err).contains("32-bit calls: watched (forced on: --compat32=on")
                .containsPattern("start-up: file: load \\(verifier\\) \\d+ ms wall, \\d+ ms cpu")
                .contains("start-up: rules built or loaded").contains("host's watched files: ");
    }
}
