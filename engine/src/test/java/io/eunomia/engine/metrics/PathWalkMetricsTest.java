package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.testkit.Cleanup;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * The path resolution counters on a real scrape: an rm through a symlinked directory is a path
 * call whose directory is walked through the task's root, so eunomia_path_walks_total counts it,
 * and every reason a walk is skipped has its series (0 on this host), linted by promtool.
 */
class PathWalkMetricsTest {
    @Test
    void aWalkedPathCallIsCountedAndEverySkipReasonIsExported() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Path dir = Cleanup.newTempDir("pwmetrics");
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE)))) {
            new SensorMetrics(sensors).bindTo(registry);
            Files.createDirectories(dir.resolve("real"));
            Files.createSymbolicLink(dir.resolve("l"), Path.of("real"));
            double before = Scrapes.value(registry.scrape(), "eunomia_path_walks_total");
            // The shell outlives rm (sleep) so a task of its namespace is there when the record is decoded.
            // The act is made again every 5 s until one is counted (once in CI none of a single act's
            // was, cause not found: each further act needed is printed, so a recurrence shows).
            long deadline = System.nanoTime() + 120_000_000_000L;
            String body = registry.scrape();
            int acts = 0;
            long nextAct = System.nanoTime();
            while (Scrapes.value(body, "eunomia_path_walks_total") <= before && System.nanoTime() < deadline) {
                if (System.nanoTime() >= nextAct) {
                    Process sh = new ProcessBuilder("sh", "-c", "touch l/f && rm l/f && sleep 2").directory(dir.toFile())
                            .redirectErrorStream(true).start();
                    if (++acts > 1) {
                        System.out.println("PathWalkMetricsTest: act " + acts + ", none counted yet; scrape:\n" + body);
                    }
                    nextAct = System.nanoTime() + 5_000_000_000L;
                }
                Thread.sleep(50);
                body = registry.scrape();
            }
            assertThat(Scrapes.value(body, "eunomia_path_walks_total")).as(acts + " acts; " + body).isGreaterThan(before);
            for (String reason : new String[] {"budget", "unsafe_root", "timeout", "stalled", "limit", "container_root_timeout"}) {
                assertThat(Scrapes.value(body, "eunomia_path_walks_skipped_total\\{reason=\"" + reason + "\"\\}"))
                        .as(reason).isGreaterThanOrEqualTo(0);
            }
            for (String reason : new String[] {"timeout", "stalled", "unsafe_mount"}) {
                assertThat(Scrapes.value(body, "eunomia_xattr_looks_skipped_total\\{reason=\"" + reason + "\"\\}"))
                        .as(reason).isGreaterThanOrEqualTo(0);
            }
            Scrapes.assertPromtoolAccepts(body);
        } finally {
            Cleanup.unmountAndDelete(dir);
        }
    }
}
