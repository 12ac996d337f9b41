package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.testkit.Cleanup;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The path resolution counters on a real scrape: an rm through a symlinked directory is a path
 * call whose directory is walked through the task's root, so eunomia_path_walks_total counts it,
 * and every reason a walk is skipped has its series, as have the text cache's and the container
 * roots' counters, linted by promtool.
 *
 * <p>The shell ends right after rm: on a loaded host its record is decoded after both are gone
 * (3 s late at load 30 here), and the walk goes through init's root, or the monitor's where init's
 * namespace cannot be read (the host's namespace: TaskView). Before
 * that stand-in such an rm was neither walked nor counted anywhere.
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
            String given = dir.resolve("l/f").toString();
            CompletableFuture<FileEvent> rm = new CompletableFuture<>();
            sensors.subscribe(e -> e instanceof FileEvent f && f.op() == FileOp.UNLINK
                    && (f.path().equals(given) || f.pathGiven().equals(given)), e -> rm.complete((FileEvent) e));
            double before = Scrapes.value(registry.scrape(), "eunomia_path_walks_total");
            Process sh = new ProcessBuilder("sh", "-c", "touch l/f && rm l/f").directory(dir.toFile())
                    .redirectErrorStream(true).start();
            FileEvent removed;
            try {
                removed = rm.get(120, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no unlink of " + given + " in 120 s (shell: "
                        + new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + ")\n" + registry.scrape(), e);
            }
            assertThat(sh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String body = registry.scrape();
            assertThat(removed.path()).as("walked through the root: " + removed + "\n" + body)
                    .isEqualTo(dir.resolve("real/f").toString());
            assertThat(Scrapes.value(body, "eunomia_path_walks_total")).as(body).isGreaterThan(before);
            for (String reason : new String[] {"budget", "unsafe_root", "timeout", "stalled", "limit", "container_root_timeout",
                    "task_gone", "no_mount_table", "unwalkable_path", "error"}) {
                assertThat(Scrapes.value(body, "eunomia_path_walks_skipped_total\\{reason=\"" + reason + "\"\\}"))
                        .as(reason).isGreaterThanOrEqualTo(0);
            }
            assertThat(Scrapes.value(body, "eunomia_path_walks_reused_total")).isGreaterThanOrEqualTo(0);
            assertThat(Scrapes.value(body, "eunomia_path_walks_stand_in_late_total")).isGreaterThanOrEqualTo(0);
            for (String reason : new String[] {"timeout", "stalled", "unsafe_mount"}) {
                assertThat(Scrapes.value(body, "eunomia_xattr_looks_skipped_total\\{reason=\"" + reason + "\"\\}"))
                        .as(reason).isGreaterThanOrEqualTo(0);
            }
            // The rm's path (a fresh directory's) was decoded, so kept in the text cache at least once.
            assertThat(Scrapes.value(body, "eunomia_path_texts_total\\{outcome=\"miss\"\\}")).as(body).isPositive();
            for (String series : new String[] {"eunomia_path_texts_total\\{outcome=\"hit\"\\}",
                    "eunomia_path_texts_total\\{outcome=\"uncached\"\\}", "eunomia_path_texts_evicted_total",
                    "eunomia_container_roots_forgotten_total"}) {
                assertThat(Scrapes.value(body, series)).as(series).isGreaterThanOrEqualTo(0);
            }
            Scrapes.assertPromtoolAccepts(body);
        } finally {
            Cleanup.unmountAndDelete(dir);
        }
    }
}
