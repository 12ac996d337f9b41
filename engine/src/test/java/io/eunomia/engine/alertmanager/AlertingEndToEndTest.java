package io.eunomia.engine.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.testkit.AlertmanagerServer;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.PrometheusServer;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.WebhookReceiver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real actions reach a webhook through a real Alertmanager, pushed directly by `eunomia monitor`
 * and through a real Prometheus evaluating the shipped alerting rules; from the host and from a
 * real runc container, whose identity the Alertmanager alert carries; a rule added by a reload
 * and an aggregated summary included.
 */
class AlertingEndToEndTest {
    private static final Path ALERT_RULES = Path.of("..", "policies", "prometheus", "eunomia-alerts.yml").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String IMAGE = "registry.example/eunomia/e2e:1.0";

    // One monitor, Alertmanager, webhook and Prometheus for the class: each test marks the
    // webhook before its act and looks only at what arrived after.
    private static Path dir;
    private static Path rules;
    private static WebhookReceiver hook;
    private static AlertmanagerServer am;
    private static MonitorProcess monitor;
    private static PrometheusServer prom;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("eunomia-e2e-");
        rules = Files.createDirectory(dir.resolve("rules"));
        Files.writeString(rules.resolve("e2e.yaml"), """
                - rule: E2E shadow read
                  desc: a test rule for the alerting path
                  condition: evt.type = open and fd.name = /etc/shadow and proc.name = cat and container.id = host
                  output: "shadow read by %proc.name pid=%proc.pid uid=%user.uid"
                  group_by: [proc.pid]
                  priority: CRITICAL
                  tags: [test, mitre_credential_access, T1003.008]
                - rule: E2E container shadow read
                  desc: a test rule for container labels and summaries
                  condition: evt.type = open and fd.name = /etc/shadow and proc.name = cat and container.id != host
                  output: "shadow read in %container.name by %proc.name"
                  priority: WARNING
                  tags: [test]
                """);
        int metricsPort = freePort();
        hook = WebhookReceiver.start();
        am = AlertmanagerServer.start(hook.url());
        // --aggregate 3: the host rule groups by pid (a cat of another program on the host never
        // hides ours), the container's reads group by the default fields (process and file).
        monitor = MonitorProcess.start(dir, "monitor", "--no-rule-cache", "--no-default-rules", "--rules", rules.toString(),
                "--alertmanager", am.url(), "--metrics-address", "127.0.0.1:" + metricsPort, "--aggregate", "3");
        prom = PrometheusServer.start("127.0.0.1:" + metricsPort, List.of(ALERT_RULES), am.url().substring("http://".length()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {prom, monitor, am, hook}) {
            if (c != null) {
                c.close();
            }
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** `eunomia monitor` in its own JVM, ready; its stderr is kept for failure messages. */
    private record MonitorProcess(Process process, StringBuffer stderr) implements AutoCloseable {
        static MonitorProcess start(Path dir, String... args) throws Exception {
            Process p = EunomiaProcess.builder(args).redirectOutput(dir.resolve("monitor.out").toFile()).start();
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            StringBuffer log = new StringBuffer(EunomiaProcess.awaitLine(err, "monitoring with")).append('\n');
            Thread.ofVirtual().start(() -> err.lines().forEach(l -> log.append(l).append('\n')));
            return new MonitorProcess(p, log);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The alerts Alertmanager holds (its API has the endsAt we sent; the webhook shows none for firing alerts). */
    private static Optional<JsonNode> stored(AlertmanagerServer am, Predicate<JsonNode> which) throws Exception {
        for (JsonNode a : JSON.readTree(get(am.url() + "/api/v2/alerts"))) {
            if (which.test(a)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Waits until Prometheus has a sample of the series; returns the first value it saw. */
    private static String firstScrapedValue(PrometheusServer prom, String series, MonitorProcess monitor) throws Exception {
        String query = prom.url() + "/api/v1/query?query=" + URLEncoder.encode(series, StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode result = JSON.readTree(get(query)).path("data").path("result");
            if (!result.isEmpty()) {
                return result.get(0).path("value").get(1).asText();
            }
            assertThat(System.nanoTime()).as("Prometheus never scraped %s; monitor said:\n%s", series, monitor.stderr())
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static long cat(String file) throws Exception {
        Process cat = new ProcessBuilder("cat", file).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(cat.waitFor()).isZero();
        return cat.pid();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static Instant instant(JsonNode alert, String field) {
        return Instant.parse(alert.path(field).asText());
    }

    @Test
    void shadowReadReachesTheWebhookDirectlyAndThroughPrometheusAndSoDoesARuleAddedByAReload() throws Exception {
        // Prometheus must have scraped the rule's alert counter at 0 before it moves, or its
        // increase() would not see the first alert.
        assertThat(firstScrapedValue(prom, "eunomia_alerts_total{rule=\"E2E shadow read\"}", monitor)).isEqualTo("0");

        var before = hook.mark();
        long pid = cat("/etc/shadow");
        WebhookReceiver.Received direct = hook.expectAfter(before, r -> r.label("alertname").equals("E2E shadow read")
                && r.annotation("summary").contains("pid=" + pid), WAIT, "direct push through Alertmanager");
        assertThat(direct.label("rule")).isEqualTo("E2E shadow read");
        assertThat(direct.label("priority")).isEqualTo("critical");
        assertThat(direct.label("severity")).isEqualTo("critical");
        assertThat(direct.label("container_id")).isEqualTo("host");
        assertThat(direct.label("container_name")).isEqualTo("host");
        assertThat(direct.alert().path("labels").has("image")).as("no image label for the host").isFalse();
        assertThat(direct.label("hostname")).isNotEmpty();
        assertThat(direct.label("tags")).contains("T1003.008");
        assertThat(direct.annotation("summary")).isEqualTo("shadow read by cat pid=" + pid + " uid=0");
        JsonNode held = stored(am, a -> a.path("labels").path("alertname").asText().equals("E2E shadow read"))
                .orElseThrow();
        assertThat(Duration.between(instant(held, "startsAt"), instant(held, "endsAt"))).isEqualTo(Duration.ofSeconds(300));
        Instant startsAt = instant(direct.alert(), "startsAt");
        long latencyMillis = (direct.receivedEpochNanos() - (startsAt.getEpochSecond() * 1_000_000_000L + startsAt.getNano())) / 1_000_000;
        System.out.println("kernel event -> webhook (direct push): " + latencyMillis + " ms");

        WebhookReceiver.Received viaPrometheus = hook.expectAfter(before, r -> r.label("alertname").equals("EunomiaCriticalSecurityAlert")
                && r.label("rule").equals("E2E shadow read"), WAIT, "alert through Prometheus and the shipped rules");
        assertThat(viaPrometheus.label("severity")).isEqualTo("critical");

        // A rule added while running (the file watcher reloads): its counter is at 0 before
        // its first alert, so Prometheus' increase() sees that alert too.
        Files.writeString(rules.resolve("e2e-reloaded.yaml"), """
                - rule: E2E gshadow read
                  desc: a rule that arrives by a reload
                  condition: evt.type = open and fd.name = /etc/gshadow and proc.name = cat
                  output: "gshadow read by %proc.name pid=%proc.pid"
                  priority: CRITICAL
                """);
        assertThat(firstScrapedValue(prom, "eunomia_alerts_total{rule=\"E2E gshadow read\"}", monitor))
                .as("the reloaded rule's first sample").isEqualTo("0");
        var afterReload = hook.mark();
        cat("/etc/gshadow");
        hook.expectAfter(afterReload, r -> r.label("alertname").equals("EunomiaCriticalSecurityAlert")
                && r.label("rule").equals("E2E gshadow read"), WAIT, "the reloaded rule's alert through Prometheus");
    }

    @Test
    void aContainersAlertCarriesItsIdentityAndItsAggregatedSummaryUpdatesTheAlertmanagerAlert() throws Exception {
        try (Runc runc = new Runc()) {
            String id = OciRuntime.uniqueId("e2e-am");
            var before = hook.mark();
            // Four identical reads 0.3 s apart: one alert at once, then a summary of 3 more when the 3 s window ends.
            Result r = runc.run(id, ContainerSpec.of("sh", "-c",
                            "echo secret > /etc/shadow; for i in 1 2 3 4; do cat /etc/shadow >/dev/null; sleep 0.3; done")
                    .withAnnotation("org.opencontainers.image.ref.name", IMAGE), WAIT);
            assertThat(r.exitCode()).as(r.stderr()).isZero();

            WebhookReceiver.Received first = hook.awaitAfter(before, x -> x.label("container_id").equals(id)
                    && x.label("alertname").equals("E2E container shadow read"), WAIT)
                    .orElseThrow(() -> new AssertionError("no alert of container " + id + " reached the webhook; it got "
                            + hook.received() + "\nmonitor said:\n" + monitor.stderr() + "\nand printed:\n"
                            + read(dir.resolve("monitor.out"))));
            assertThat(first.label("alertname")).isEqualTo("E2E container shadow read");
            assertThat(first.label("container_name")).isEqualTo(id);
            assertThat(first.label("image")).isEqualTo(IMAGE);
            assertThat(first.label("severity")).isEqualTo("warning");
            assertThat(first.annotation("summary")).isEqualTo("shadow read in " + id + " by cat");
            Predicate<JsonNode> ours = a -> a.path("labels").path("container_id").asText().equals(id)
                    && a.path("labels").path("alertname").asText().equals("E2E container shadow read");
            JsonNode held = stored(am, ours).orElseThrow();
            Instant firstEnd = instant(held, "endsAt");

            // The summary is the same alert again (same labels): Alertmanager updates its annotation
            // and moves endsAt to the last read + the expiry.
            long deadline = System.nanoTime() + WAIT.toNanos();
            JsonNode updated;
            while (!(updated = stored(am, ours).orElseThrow()).path("annotations").path("summary").asText().contains("more times")) {
                assertThat(System.nanoTime()).as("no summary reached Alertmanager; it holds %s; monitor said:\n%s",
                        updated, monitor.stderr()).isLessThan(deadline);
                Thread.sleep(200);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "shadow read in " + id + " by cat \\(3 more times in (\\d+\\.\\d) s\\)")
                    .matcher(updated.path("annotations").path("summary").asText());
            assertThat(m.matches()).as(updated.toString()).isTrue();
            assertThat(instant(updated, "startsAt")).isEqualTo(instant(held, "startsAt"));
            // endsAt moved by the time from the first read to the last (the summary's span, to 0.1 s).
            double movedSeconds = Duration.between(firstEnd, instant(updated, "endsAt")).toNanos() / 1e9;
            assertThat(movedSeconds).isGreaterThan(0.5).isCloseTo(Double.parseDouble(m.group(1)),
                    org.assertj.core.data.Offset.offset(0.06));
            List<String> fingerprints = new ArrayList<>();
            JSON.readTree(get(am.url() + "/api/v2/alerts")).forEach(a -> {
                if (ours.test(a)) {
                    fingerprints.add(a.path("fingerprint").asText());
                }
            });
            assertThat(fingerprints).as("one alert, updated, not a second one").hasSize(1);
        }
    }
}
