package io.eunomia.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.output.AlertFormat;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorSettingsTest {
    private static final MonitorSettings DEFAULTS = new MonitorSettings(List.of(), true, Optional.of(Path.of("/var/cache/eunomia/rules")),
            AlertFormat.TEXT, Optional.empty(), AlertFormat.JSON, 100, Duration.ZERO, 5, Duration.ofSeconds(10),
            Optional.of(new InetSocketAddress("127.0.0.1", 9464)), List.of(), Duration.ofSeconds(300), 4);

    @TempDir
    Path dir;

    private EngineConfig file() throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("eunomia.yaml"), """
                rules: {paths: /etc/eunomia/rules, defaults: false, cache: "off"}
                outputs:
                  stdout: {format: json}
                  file: {path: /var/log/eunomia/alerts.csv, format: csv, maxMb: 10, maxAgeHours: 24, keep: 3}
                  alertmanager: {urls: [http://127.0.0.1:9093], expirySeconds: 60}
                metrics: {address: "0.0.0.0:9464"}
                aggregateSeconds: 2.5
                ringMiB: 16
                """));
    }

    @Test
    void theFileFillsWhatTheCommandLineDidNotSay() throws Exception {
        MonitorSettings s = DEFAULTS.withFile(file(), Set.of());
        assertThat(s.rules()).containsExactly(Path.of("/etc/eunomia/rules"));
        assertThat(s.defaultRules()).isFalse();
        assertThat(s.ruleCache()).isEmpty();
        assertThat(s.stdoutFormat()).isEqualTo(AlertFormat.JSON);
        assertThat(s.outputFile()).contains(Path.of("/var/log/eunomia/alerts.csv"));
        assertThat(s.outputFileFormat()).isEqualTo(AlertFormat.CSV);
        assertThat(s.outputFileMaxMb()).isEqualTo(10);
        assertThat(s.outputFileMaxAge()).isEqualTo(Duration.ofHours(24));
        assertThat(s.outputFileKeep()).isEqualTo(3);
        assertThat(s.alertmanagers()).containsExactly(URI.create("http://127.0.0.1:9093"));
        assertThat(s.alertExpiry()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.metrics()).contains(new InetSocketAddress("0.0.0.0", 9464));
        assertThat(s.aggregation()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.ringMiB()).isEqualTo(16);
    }

    @Test
    void whatTheCommandLineSaidWins() throws Exception {
        MonitorSettings cli = new MonitorSettings(List.of(Path.of("mine.yaml")), true, Optional.of(Path.of("/tmp/cache")),
                AlertFormat.TEXT, Optional.of(Path.of("/tmp/a.jsonl")), AlertFormat.TEXT, 1, Duration.ofMinutes(5), 0, Duration.ZERO, Optional.empty(),
                List.of(URI.create("http://10.0.0.1:9093")), Duration.ofSeconds(5), 2);
        MonitorSettings s = cli.withFile(file(), Set.of("--rules", "--no-default-rules", "--rule-cache", "--format",
                "--output-file", "--output-file-format", "--output-file-max-mb", "--output-file-max-age", "--output-file-keep", "--alertmanager", "--alert-expiry",
                "--no-metrics", "--aggregate", "--ring-mib"));
        assertThat(s).isEqualTo(cli);
    }
}
