package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** A real scrape of real sensor figures, linted by Prometheus' own promtool. */
class MetricsServerTest {

    @Test
    void scrapeHasSensorFiguresAndPassesPromtool() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)));
             MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
            new SensorMetrics(sensors).bindTo(registry);
            new BuildInfo().bindTo(registry);
            assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
            for (int i = 0; i < 3; i++) {
                new ProcessBuilder("/bin/true").start().waitFor();
            }
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics");
            // The execs reach the counter through the ring buffer: scrape until they are counted.
            long deadline = System.nanoTime() + 10_000_000_000L;
            String body;
            do {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                body = r.body();
            } while (Scrapes.value(body, "eunomia_events_total\\{type=\"exec\"\\}") < 3 && System.nanoTime() < deadline);
            assertThat(Scrapes.value(body, "eunomia_events_total\\{type=\"exec\"\\}")).isGreaterThanOrEqualTo(3);
            assertThat(body).contains("eunomia_dropped_events_total{source=\"process\",stage=\"kernel\"} 0.0");
            assertThat(body).contains("eunomia_build_info{");
            assertThat(body).contains("eunomia_containers_seen");
            assertThat(Scrapes.value(body, "eunomia_calls32_watched")).as(sensors.compat32().toString())
                    .isEqualTo(sensors.compat32().watched() ? 1.0 : 0.0);

            Scrapes.assertPromtoolAccepts(body);

            HttpResponse<String> other = http.send(HttpRequest.newBuilder(uri.resolve("/admin")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
        }
    }
}
