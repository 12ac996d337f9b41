package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.BtrfsDevices;
import io.eunomia.bpf.Compat32;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.OciRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A real scrape of real sensor figures, linted by Prometheus' own promtool. */
class MetricsServerTest {

    @Test
    void scrapeHasSensorFiguresAndPassesPromtool() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)).withCompat32(Compat32.AUTO)); // the gauge as the monitor's default sets it
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
            // The process table's evictions (issue 16): the count the table keeps, on the scrape.
            assertThat(Scrapes.value(body, "eunomia_processes_evicted_total")).as(body)
                    .isEqualTo((double) sensors.processesEvicted());
            assertThat(body).contains("eunomia_container_labels_untrusted_total 0.0");
            assertThat(body).contains("eunomia_attribution_pids_forgotten_total{reason=\"bound\"} ",
                    "eunomia_attribution_pids_forgotten_total{reason=\"loss\"} ");
            assertThat(Scrapes.value(body, "eunomia_container_images_forgotten_total")).as(body)
                    .isEqualTo((double) sensors.containers().resolver().createdFromForgotten());
            BtrfsDevices btrfs = sensors.btrfsDevices();
            if (btrfs.state() == BtrfsDevices.State.ABSENT) {
                assertThat(body).as(btrfs.reason()).doesNotContain("eunomia_btrfs_device_ids");
            } else {
                assertThat(Scrapes.value(body, "eunomia_btrfs_device_ids")).as(btrfs.reason())
                        .isEqualTo(btrfs.state() == BtrfsDevices.State.READ ? 1.0 : 0.0);
            }
            assertThat(body).contains("eunomia_attribution_runtimes_untrusted_total ", "eunomia_attribution_bundles_refused_total ",
                    "eunomia_attribution_states_refused_total ");
            // Others' containers on this host may settle unanswered after the scrape: at most what is counted now.
            assertThat(Scrapes.value(body, "eunomia_attribution_unanswered_total")).as(body)
                    .isLessThanOrEqualTo((double) sensors.containers().releasedUnanswered());
            for (String known : io.eunomia.bpf.container.ContainerAttribution.engineLabels()) {
                assertThat(Scrapes.value(body, "eunomia_attribution_disagreements_total\\{known=\"" + known + "\"\\}")).as(body)
                        .isEqualTo((double) sensors.containers().engineDisagreements(known));
            }
            assertThat(Scrapes.value(body, "eunomia_calls32_watched")).as(sensors.compat32().toString())
                    .isEqualTo(sensors.compat32().watched() ? 1.0 : 0.0);

            Scrapes.assertPromtoolAccepts(body);

            HttpResponse<String> other = http.send(HttpRequest.newBuilder(uri.resolve("/admin")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
        }
    }

    /**
     * {@code eunomia_container_labels_unreadable_total}: a container claiming a pod whose image's
     * labels cannot be read now (its daemon stopped: SIGSTOP) is counted on the scrape, as many
     * times as the resolver counted. Failed on the code before: the series was not exported.
     */
    @Test
    void imageLabelsThatCannotBeReadAreCountedOnTheScrape() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Dockerd dockerd = Dockerd.start("eunomia-busybox:metrics");
             KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)).withContainers(
                     ContainerSources.defaults().withStateRoot(dockerd.stateRoot(), "docker").withDockerSocket(dockerd.socket())));
             MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry);
             EngineContainer c = dockerd.start(OciRuntime.uniqueId("eun-metrics"), Map.of("io.kubernetes.pod.namespace",
                     "payments", "io.kubernetes.pod.name", "checkout-5c7d8"), List.of("sleep", "60"))) {
            new SensorMetrics(sensors).bindTo(registry);
            URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics");
            HttpClient http = HttpClient.newHttpClient();
            long mntns = Long.parseLong(Files.readSymbolicLink(Path.of("/proc", Long.toString(c.pid()), "ns", "mnt"))
                    .toString().replaceAll("\\D", ""));
            var resolver = sensors.containers().resolver();
            long deadline = System.nanoTime() + 60_000_000_000L; // awaits what the acts cause: ends when they come
            while (!resolver.resolveLive((int) c.pid(), mntns).map(i -> i.podNamespace().equals("payments")).orElse(false)
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            signal("STOP", dockerd.daemonPid());
            try {
                while (resolver.unreadableImageLabels() == 0 && System.nanoTime() < deadline) {
                    resolver.resolveLive((int) c.pid(), mntns); // the image cannot be read now: counted
                }
            } finally {
                signal("CONT", dockerd.daemonPid());
            }
            long counted = resolver.unreadableImageLabels();
            assertThat(counted).as("the resolver counted the unreadable image").isPositive();
            String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(Scrapes.value(body, "eunomia_container_labels_unreadable_total")).isGreaterThanOrEqualTo((double) counted);
            Scrapes.assertPromtoolAccepts(body);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor()).isZero();
    }

    /**
     * What a scraper and a stray client get: HEAD and GET answers, 405 and 404, 400 for what is not
     * HTTP, 503 beyond {@link MetricsServer#MAX_CONCURRENT} connections, and close() ends the
     * connections that were still waiting.
     */
    @Test
    void answersEachRequestAndBoundsConnections() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new BuildInfo().bindTo(registry);
        java.util.List<java.net.Socket> idle = new java.util.ArrayList<>();
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
            int port = server.address().getPort();
            assertThat(exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 ").contains("Connection: close").contains("eunomia_build_info{");
            String head = exchange(port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(head).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n").doesNotContain("eunomia_build_info");
            assertThat(exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"))
                    .startsWith("HTTP/1.1 405 ").contains("Allow: GET, HEAD");
            assertThat(exchange(port, "GET /admin HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 ");
            assertThat(exchange(port, "hello\r\n\r\n")).startsWith("HTTP/1.1 400 ");

            // Connections that say nothing hold their slot until their read times out (or close()).
            for (int i = 0; i < MetricsServer.MAX_CONCURRENT; i++) {
                idle.add(new java.net.Socket("127.0.0.1", port));
            }
            assertThat(exchange(port, "GET /metrics HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 503 ");
        }
        for (java.net.Socket s : idle) {
            try (s) {
                s.setSoTimeout(30_000);
                assertThat(s.getInputStream().read()).as("closed by close()").isEqualTo(-1);
            }
        }
    }

    /** Sends one raw request and reads the response until the server closes the connection. */
    private static String exchange(int port, String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
