package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.TestEvents;
import io.eunomia.rules.Priority;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Prometheus rules and Alertmanager configuration under policies/ pass the tools' own checks. */
class ShippedPoliciesTest {
    private static final Path POLICIES = Path.of("..", "policies").toAbsolutePath().normalize();

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out).isZero();
        return out;
    }

    @Test
    void prometheusRulesAreValidAndTheirUnitTestsPass() throws Exception {
        Path prom = POLICIES.resolve("prometheus");
        assertThat(Files.isRegularFile(prom.resolve("eunomia-alerts.yml"))).isTrue();
        assertThat(run(prom, "promtool", "check", "rules", "eunomia-alerts.yml")).contains("SUCCESS");
        assertThat(run(prom, "promtool", "test", "rules", "tests/eunomia-alerts.test.yml")).contains("SUCCESS");
    }

    private static final Pattern SERIES = Pattern.compile("(?m)^(eunomia_\\w+)(?:\\{([^}]*)})?");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"(?:[^\"\\\\]|\\\\.)*\"");

    /**
     * The rules' unit tests feed series with the labels the real metrics carry (besides instance and
     * job, which Prometheus adds): a rule that selects or groups by a label the metric lacks then
     * matches nothing in its test, which fails. A series once had sensor="file" where the metric has
     * source=. The labels are read from the meters the monitor registers, on a real process sensor.
     */
    @Test
    void theUnitTestsSeriesCarryTheLabelsOfTheRealMetrics() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Map<String, Set<Set<String>>> real;
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)))) {
            new SensorMetrics(sensors).bindTo(registry);
            new ProfileMetrics(registry).watching(TestEvents.WEB);
            new MeteredOutput(a -> {}, registry).emit(Alert.single("Read sensitive file", Priority.CRITICAL, "read",
                    List.of(), TestEvents.open(TestEvents.T0, 1, "cat", "/etc/shadow"), "test"));
            real = labelNames(registry.scrape());
        }
        JsonNode tests = new ObjectMapper(new YAMLFactory()).readTree(POLICIES.resolve("prometheus/tests/eunomia-alerts.test.yml").toFile());
        int checked = 0;
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode input : test.path("input_series")) {
                String series = input.path("series").asText();
                Map<String, Set<Set<String>>> fed = labelNames(series);
                for (var e : fed.entrySet()) {
                    Set<String> labels = new TreeSet<>(e.getValue().iterator().next());
                    labels.removeAll(Set.of("instance", "job"));
                    assertThat(real).as("a metric the monitor exports: " + series).containsKey(e.getKey());
                    assertThat(real.get(e.getKey())).as(series + ": the labels of the real " + e.getKey()).contains(labels);
                    checked++;
                }
            }
        }
        assertThat(checked).as("eunomia_ series in the unit tests").isGreaterThanOrEqualTo(10);
    }

    /** Each eunomia_ metric in text (a scrape, or a series as promtool tests write it) → the label-name sets it has. */
    private static Map<String, Set<Set<String>>> labelNames(String text) {
        Map<String, Set<Set<String>>> out = new TreeMap<>();
        for (Matcher m = SERIES.matcher(text); m.find(); ) {
            Set<String> names = new TreeSet<>();
            for (Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2)); l.find(); ) {
                names.add(l.group(1));
            }
            out.computeIfAbsent(m.group(1), k -> new java.util.HashSet<>()).add(names);
        }
        return out;
    }

    @Test
    void theScrapeExampleIsValidAndNamesTheJobTheRulesSelect() throws Exception {
        Path prom = POLICIES.resolve("prometheus");
        assertThat(run(prom, "promtool", "check", "config", "prometheus.yml")).contains("SUCCESS: 1 rule files found");
        String scrape = Files.readString(prom.resolve("prometheus.yml"));
        String rules = Files.readString(prom.resolve("eunomia-alerts.yml"));
        java.util.Set<String> jobs = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("job=\"([^\"]+)\"").matcher(rules);
        while (m.find()) {
            jobs.add(m.group(1));
        }
        assertThat(jobs).containsExactly("eunomia");
        assertThat(scrape).containsPattern("(?m)^\\s*- job_name: eunomia\\b").contains("--metrics-address 0.0.0.0:9464");
    }

    @Test
    void alertmanagerExampleConfigIsValid() throws Exception {
        assertThat(run(POLICIES, "amtool", "check-config", "alertmanager/alertmanager.yml")).contains("SUCCESS");
    }
}
