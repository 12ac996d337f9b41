package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.alert.OutputRenderer;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.event.EventType;
import io.eunomia.rules.RuleBase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Events no pattern can accept stay out of the session, counted; what a rule needs still fires, also after a reload. */
class SkippedEventsPipelineTest {
    private static final long MS = 1_000_000L;

    private static Pipeline.Settings replay() {
        return TestEvents.replaySettings();
    }

    @Test
    void skippedEventsAreCountedByTypeAndTheNeededOneFires() throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Pipeline p = TestEvents.secretPipeline(out, registry);
        for (int i = 0; i < 999; i++) {
            p.offer(open(T0 + i * MS, 5, "cat", "/usr/lib/libc.so.6"));
        }
        p.offer(open(T0 + 999 * MS, 5, "cat", "/secret/key"));
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        assertThat(out.alerts()).extracting(Alert::output).containsExactly("cat opened /secret/key in web");
        assertThat(p.stats().skipped()).isEqualTo(999);
        assertThat(p.stats().inserted()).as("only what entered the session").isEqualTo(1);
        assertThat(p.skipped(EventType.FILE)).isEqualTo(999);
        assertThat(p.skipped(EventType.EXEC)).isZero();
        assertThat(registry.scrape()).contains("eunomia_events_skipped_total{type=\"file\"} 999.0");
    }

    @Test
    void aReloadFiltersWithTheNewRulesAndKeepsTheCount() throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(TestEvents.rules(TestEvents.SECRET_RULE), replay(), out, new OutputRenderer()).start();
        p.offer(open(T0, 5, "cat", "/usr/lib/libc.so.6"));
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        RuleBase libs = TestEvents.rules(TestEvents.SECRET_RULE.replace("Secret opened", "Library opened")
                .replace("\"/secret\"", "\"/usr/lib/\""));
        p.swap(libs).get();
        p.offer(open(T0 + MS, 5, "cat", "/usr/lib/libc.so.6"));
        p.offer(open(T0 + 2 * MS, 5, "cat", "/secret/key"));
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        assertThat(out.alerts()).extracting(Alert::rule).containsExactly("Library opened");
        assertThat(p.skipped(EventType.FILE)).as("one before the reload, one after").isEqualTo(2);
    }
}
