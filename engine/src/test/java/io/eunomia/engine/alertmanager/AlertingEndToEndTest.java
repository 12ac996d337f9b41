package io.eunomia.engine.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.AlertmanagerServer;
import io.eunomia.testkit.PrometheusServer;
import io.eunomia.testkit.WebhookReceiver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real action reaches a webhook through a real Alertmanager, both pushed directly by
 * `eunomia monitor` and through a real Prometheus evaluating the shipped alerting rules.
 */
class AlertingEndToEndTest {
    private static final Path ALERT_RULES = Path.of("..", "policies", "prometheus", "eunomia-alerts.yml").toAbsolutePath().normalize();

    private static String get(String url) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void shadowReadReachesTheWebhookDirectlyAndThroughPrometheus(@TempDir Path tmp) throws Exception {
        Path rules = tmp.resolve("e2e.yaml");
        Files.writeString(rules, """
                - rule: E2E shadow read
                  desc: a test rule for the alerting path
                  condition: evt.type = open and fd.name = /etc/shadow and proc.name = cat
                  output: "shadow read by %proc.name pid=%proc.pid uid=%user.uid"
                  priority: CRITICAL
                  tags: [test, mitre_credential_access, T1003.008]
                """);
        int metricsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        try (WebhookReceiver hook = WebhookReceiver.start();
             AlertmanagerServer am = AlertmanagerServer.start(hook.url())) {
            Process monitor = io.eunomia.engine.EunomiaProcess.builder("monitor", "--no-rule-cache", "--no-default-rules", "--rules", rules.toString(),
                    "--alertmanager", am.url(), "--metrics-address", "127.0.0.1:" + metricsPort,
                    "--aggregate", "0").start();
            try (BufferedReader err = new BufferedReader(new InputStreamReader(monitor.getErrorStream(), StandardCharsets.UTF_8));
                 PrometheusServer prom = PrometheusServer.start("127.0.0.1:" + metricsPort, List.of(ALERT_RULES),
                         am.url().substring("http://".length()))) {
                io.eunomia.engine.EunomiaProcess.awaitLine(err, "monitoring with");
                // Prometheus must have scraped the rule's alert counter at 0 before it moves, or its
                // increase() would not see the first alert.
                String series = java.net.URLEncoder.encode("eunomia_alerts_total{rule=\"E2E shadow read\"}", StandardCharsets.UTF_8);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!get(prom.url() + "/api/v1/query?query=" + series).contains("\"value\"")) {
                    assertThat(System.nanoTime()).as("Prometheus never scraped the monitor").isLessThan(deadline);
                    Thread.sleep(200);
                }

                Process cat = new ProcessBuilder("cat", "/etc/shadow").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                long pid = cat.pid();
                assertThat(cat.waitFor()).isZero();

                WebhookReceiver.Received direct = hook.await(r -> r.label("alertname").equals("E2E shadow read")
                        && r.annotation("summary").contains("pid=" + pid), Duration.ofSeconds(20));
                assertThat(direct).as("direct push through Alertmanager").isNotNull();
                assertThat(direct.label("rule")).isEqualTo("E2E shadow read");
                assertThat(direct.label("priority")).isEqualTo("critical");
                assertThat(direct.label("severity")).isEqualTo("critical");
                assertThat(direct.label("container_id")).isEqualTo("host");
                assertThat(direct.label("container_name")).isEqualTo("host");
                assertThat(direct.label("hostname")).isNotEmpty();
                assertThat(direct.label("tags")).contains("T1003.008");
                assertThat(direct.annotation("summary")).isEqualTo("shadow read by cat pid=" + pid + " uid=0");
                Instant startsAt = Instant.parse(direct.alert().path("startsAt").asText());
                // The webhook shows firing alerts without an end; Alertmanager's API has the endsAt we sent.
                var api = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient.newHttpClient()
                        .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(am.url() + "/api/v2/alerts")).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
                com.fasterxml.jackson.databind.JsonNode stored = null;
                for (var a : api) {
                    if (a.path("labels").path("alertname").asText().equals("E2E shadow read")) {
                        stored = a;
                    }
                }
                assertThat(stored).isNotNull();
                assertThat(Duration.between(Instant.parse(stored.path("startsAt").asText()),
                        Instant.parse(stored.path("endsAt").asText()))).isEqualTo(Duration.ofSeconds(300));
                long latencyMillis = (direct.receivedEpochNanos() - (startsAt.getEpochSecond() * 1_000_000_000L + startsAt.getNano())) / 1_000_000;
                System.out.println("kernel event -> webhook (direct push): " + latencyMillis + " ms");

                WebhookReceiver.Received viaPrometheus = hook.await(r -> r.label("alertname").equals("EunomiaCriticalSecurityAlert")
                        && r.label("rule").equals("E2E shadow read"), Duration.ofSeconds(30));
                assertThat(viaPrometheus).as("through Prometheus and the shipped rules; what Prometheus has:\n"
                        + get(prom.url() + "/api/v1/query?query=eunomia_alerts_total") + "\n"
                        + get(prom.url() + "/api/v1/alerts") + "\n" + get(prom.url() + "/api/v1/targets")).isNotNull();
                assertThat(viaPrometheus.label("severity")).isEqualTo("critical");
            } finally {
                monitor.destroy();
                monitor.waitFor(20, TimeUnit.SECONDS);
                monitor.destroyForcibly();
            }
        }
    }
}
