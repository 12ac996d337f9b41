package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.EunomiaProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboard: every panel's PromQL is valid (checked by promtool as recording
 * rules) and names only metrics a running `eunomia monitor` really exports; that monitor's whole
 * /metrics passes `promtool check metrics`.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "policies", "grafana", "eunomia-dashboard.json").toAbsolutePath().normalize();
    private static final Pattern METRIC = Pattern.compile("\\beunomia_[a-z_]+");

    static List<String> expressions() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode panel : d.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                out.add(t.path("expr").asText());
            }
        }
        return out;
    }

    /** Grafana's variables replaced by what they stand for in a query. */
    static String concrete(String expr) {
        return expr.replace("$__rate_interval", "5m").replace("$instance", ".*");
    }

    @Test
    void everyPanelQueryIsValidPromQL(@TempDir Path tmp) throws Exception {
        List<String> exprs = expressions();
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(5);
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            rules.append("      - record: dashboard:panel_query_").append(i).append("\n")
                    .append("        expr: '").append(concrete(exprs.get(i)).replace("'", "''")).append("'\n");
        }
        Path file = tmp.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);
        Process p = new ProcessBuilder("promtool", "check", "rules", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void everyMetricItNamesIsExportedByTheMonitor(@TempDir Path tmp) throws Exception {
        Set<String> referenced = new TreeSet<>();
        for (String e : expressions()) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                referenced.add(m.group());
            }
        }
        Path rule = tmp.resolve("r.yaml");
        Files.writeString(rule, """
                - rule: Dashboard test read
                  desc: makes one alert so the per-container counter exists
                  condition: evt.type = open and fd.name = /etc/shadow and proc.name = cat
                  output: "read by %proc.name"
                  priority: NOTICE
                """);
        // The monitor binds a port of its own choosing and names it (a port found free beforehand may be taken
        // meanwhile); it stops by itself should this test die, long after the waits below.
        Process monitor = EunomiaProcess.builder("monitor", "--no-rule-cache", "--no-default-rules", "--rules", rule.toString(),
                "--metrics-address", "127.0.0.1:0", "--duration", "300").start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(monitor.getErrorStream(), StandardCharsets.UTF_8))) {
            String ready = EunomiaProcess.awaitLine(err, "monitoring with");
            java.util.regex.Matcher bound = java.util.regex.Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics").matcher(ready);
            assertThat(bound.find()).as(ready).isTrue();
            int port = Integer.parseInt(bound.group(1));
            new ProcessBuilder("cat", "/etc/shadow").redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            String scrape = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // the alert's counter, once it went through
            while (!scrape.contains("eunomia_container_alerts_total") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
            }
            for (String name : referenced) {
                assertThat(scrape).as("metric " + name + " in the monitor's /metrics").containsPattern("(?m)^" + name + "[{ ]");
            }
            // The whole exposition of a running monitor passes Prometheus' own lint.
            Process lint = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            try (var in = lint.getOutputStream()) {
                in.write(scrape.getBytes(StandardCharsets.UTF_8));
            }
            String problems = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(lint.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(lint.exitValue()).as("promtool check metrics:\n" + problems).isZero();
        } finally {
            monitor.destroy();
            monitor.waitFor(20, TimeUnit.SECONDS);
            monitor.destroyForcibly();
        }
    }
}
