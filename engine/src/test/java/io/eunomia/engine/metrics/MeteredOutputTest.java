package io.eunomia.engine.metrics;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.alert.OutputRenderer;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.ClockMode;
import io.eunomia.engine.pipeline.Pipeline;
import io.eunomia.engine.pipeline.TestEvents;
import io.eunomia.event.ContainerInfo;
import io.eunomia.rules.Priority;
import io.eunomia.rules.RuleBase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The alert counters as Prometheus scrapes them. */
class MeteredOutputTest {
    /** A second rule, WARNING, for opens of *.key files. */
    private static final String KEY_RULE = TestEvents.SECRET_RULE.replace("Secret opened", "Key opened")
            .replace("CRITICAL", "WARNING").replace("str[startsWith] \"/secret\"", "str[endsWith] \".key\"");

    private static List<String> series(PrometheusMeterRegistry registry, String metric) {
        return registry.scrape().lines().filter(l -> l.startsWith(metric + "{")).toList();
    }

    @Test
    void rulesAddedByAReloadStartAtZeroBeforeTheirFirstAlert() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        InMemoryOutput out = new InMemoryOutput();
        MeteredOutput metered = new MeteredOutput(out, registry);
        RuleBase initial = TestEvents.rules(TestEvents.SECRET_RULE);
        try (Pipeline p = new Pipeline(initial, Pipeline.Settings.defaults().withClock(ClockMode.EVENT_TIME)
                .withAggregationWindow(Duration.ZERO), metered, new OutputRenderer()).start()) {
            p.onRules(metered::preregister);
            assertThat(series(registry, "eunomia_alerts_total"))
                    .containsExactly("eunomia_alerts_total{priority=\"critical\",rule=\"Secret opened\"} 0.0");

            p.swap(TestEvents.rules(TestEvents.SECRET_RULE, KEY_RULE)).get();
            // Scraped before the new rule could fire: Prometheus' increase() will see its first alert.
            assertThat(series(registry, "eunomia_alerts_total")).containsExactlyInAnyOrder(
                    "eunomia_alerts_total{priority=\"critical\",rule=\"Secret opened\"} 0.0",
                    "eunomia_alerts_total{priority=\"warning\",rule=\"Key opened\"} 0.0");

            var before = out.mark();
            p.offer(TestEvents.open(T0, 7, "cat", "/srv/tls/server.key"));
            out.awaitAfter(before, "Key opened", a -> true, Duration.ofSeconds(10));
            assertThat(series(registry, "eunomia_alerts_total"))
                    .contains("eunomia_alerts_total{priority=\"warning\",rule=\"Key opened\"} 1.0");
        }
    }

    private static Alert alertIn(String container, long count) {
        ContainerInfo c = new ContainerInfo(container + "-id", container, "busybox:1", "runc", "", "");
        Alert a = Alert.single("R", Priority.WARNING, "o", List.of(), TestEvents.open(T0, 1, "cat", "/x")
                .withProcess(TestEvents.proc(1, "cat", c)), "t.drl:1");
        return count == 1 ? a : a.summarize(count, T0, a.event());
    }

    @Test
    void containerSeriesAreCappedAndThoseOfContainersQuietForLongAreRemoved() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicLong now = new AtomicLong();
        MeteredOutput metered = new MeteredOutput(new InMemoryOutput(), registry, Duration.ofMinutes(10), 2, now::get);
        metered.emit(alertIn("a", 1));
        metered.emit(alertIn("b", 3));
        metered.emit(alertIn("c", 1));   // past the cap of 2
        metered.emit(alertIn("d", 2));
        metered.emit(alertIn("a", 1));
        assertThat(series(registry, "eunomia_container_alerts_total")).containsExactlyInAnyOrder(
                "eunomia_container_alerts_total{container=\"a\"} 2.0",
                "eunomia_container_alerts_total{container=\"b\"} 3.0",
                "eunomia_container_alerts_total{container=\"other\"} 3.0");

        now.addAndGet(Duration.ofMinutes(9).toNanos());
        metered.emit(alertIn("b", 1));
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        // a and other were quiet for 11 minutes: gone; b alerted 2 minutes ago; room for c again.
        metered.emit(alertIn("c", 1));
        assertThat(series(registry, "eunomia_container_alerts_total")).containsExactlyInAnyOrder(
                "eunomia_container_alerts_total{container=\"b\"} 4.0",
                "eunomia_container_alerts_total{container=\"c\"} 1.0");
        // eunomia_alerts_total counts every occurrence whatever the container series did.
        assertThat(series(registry, "eunomia_alerts_total"))
                .containsExactly("eunomia_alerts_total{priority=\"warning\",rule=\"R\"} 10.0");
    }
}
