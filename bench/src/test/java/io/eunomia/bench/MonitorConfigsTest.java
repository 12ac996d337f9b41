package io.eunomia.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.engine.pipeline.Monitor;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompiler;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benches' "monitor" configurations are what eunomia monitor loads for the default pack: its sensors
 * and every kernel filter it sets (read, miss, times, net), not the read filter alone.
 */
class MonitorConfigsTest {
    @Test
    void overheadAndSensorsPartsLoadWhatTheMonitorLoads() throws Exception {
        RuleBase pack = RuleCompiler.compile(DefaultPack.sources());
        SensorOptions overhead = Bench.overheadConfigs(EnumSet.allOf(Sensor.class), pack).get("monitor");
        SensorOptions sensors = SyscallPathBench.configs(Monitor.sensorOptions(pack),
                EnumSet.allOf(Sensor.class)).get("monitor");
        for (SensorOptions monitor : List.of(overhead, sensors)) {
            assertThat(monitor.sensors()).isEqualTo(Sensor.forTypes(pack.eventTypes()));
            assertThat(monitor.readPrefixes()).isEqualTo(pack.fileReads().filter()).isPresent();
            assertThat(monitor.missPrefixes()).as("miss filter").isEqualTo(pack.missingReads().filter()).isPresent();
            assertThat(monitor.timesPrefixes()).as("times filter").isEqualTo(pack.timesSet().filter()).isPresent();
            assertThat(monitor.netInterest()).isEqualTo(pack.netEvents());
        }
    }
}
