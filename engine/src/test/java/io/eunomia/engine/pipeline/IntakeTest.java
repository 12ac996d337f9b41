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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The poller's way in: what no pattern can accept stops at the intake (counted as skipped, as the
 * session's filter counts it), the rest reaches the rules at the flush, in order; a reload lets
 * everything through until the new rules run, then filters for them.
 */
class IntakeTest {
    private static final long MS = 1_000_000L;

    private static Pipeline.Settings replay() {
        return TestEvents.replaySettings();
    }

    @Test
    void whatNoPatternAcceptsStopsAtTheIntakeAndTheRestIsHandedOverAtTheFlush() throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Pipeline p = TestEvents.secretPipeline(out, registry);
        Intake intake = p.intake();
        for (int i = 0; i < 999; i++) {
            intake.offer(open(T0 + i * MS, 5, "cat", "/usr/lib/libc.so.6"));
        }
        intake.offer(open(T0 + 999 * MS, 5, "cat", "/secret/key"));
        intake.offer(open(T0 + 1000 * MS, 6, "cat", "/secret/other"));
        assertThat(p.stats().accepted()).as("nothing handed over before the flush").isZero();
        intake.flush();
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        assertThat(out.alerts()).extracting(Alert::output)
                .containsExactly("cat opened /secret/key in web", "cat opened /secret/other in web");
        assertThat(p.stats().accepted()).as("only what a rule can accept crossed to the pipeline thread").isEqualTo(2);
        assertThat(p.stats().inserted()).isEqualTo(2);
        assertThat(p.skipped(EventType.FILE)).isEqualTo(999);
        assertThat(p.stats().skipped()).isEqualTo(999);
        assertThat(registry.scrape()).contains("eunomia_events_skipped_total{type=\"file\"} 999.0");
    }

    @Test
    void aFullBatchIsHandedOverWithoutWaitingForTheFlush() throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(TestEvents.rules(TestEvents.SECRET_RULE), replay().withBatchSize(4), out,
                new OutputRenderer()).start();
        Intake intake = p.intake();
        for (int i = 0; i < 5; i++) {
            intake.offer(open(T0 + i * MS, 5, "cat", "/secret/k" + i));
        }
        assertThat(p.stats().accepted()).isEqualTo(4);
        intake.flush();
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        assertThat(out.alerts()).hasSize(5);
    }

    @Test
    void aReloadLetsEverythingThroughUntilTheNewRulesRunThenFiltersForThem() throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(TestEvents.rules(TestEvents.SECRET_RULE), replay(), out, new OutputRenderer()).start();
        Intake intake = p.intake();
        intake.offer(open(T0, 5, "cat", "/usr/lib/libc.so.6"));
        intake.flush();
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        assertThat(p.skipped(EventType.FILE)).isEqualTo(1);

        RuleBase libs = TestEvents.rules(TestEvents.SECRET_RULE.replace("Secret opened", "Library opened")
                .replace("\"/secret\"", "\"/usr/lib/\""));
        // The old rules would keep a library open out; while the reload is under way it crosses to the
        // pipeline thread (which session takes it depends on when the swap is taken: either is right).
        long[] crossed = new long[1];
        p.onRules(rules -> {
            if (rules == libs) {
                assertThat(p.admitting()).as("no filter while the reload is under way").isNull();
                long before = p.stats().accepted();
                intake.offer(open(T0 + MS, 7, "ld", "/usr/lib/libm.so.6"));
                intake.flush();
                crossed[0] = p.stats().accepted() - before;
            }
        });
        CompletableFuture<Void> swapped = p.swap(libs);
        swapped.get();
        assertThat(crossed[0]).isEqualTo(1);
        assertThat(p.admitting()).as("the new rules' filter once they run").isNotNull();
        long accepted = p.stats().accepted();
        intake.offer(open(T0 + 2 * MS, 5, "cat", "/usr/lib/libc.so.6"));
        intake.offer(open(T0 + 3 * MS, 5, "cat", "/secret/key"));
        intake.flush();
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        assertThat(p.stats().accepted() - accepted).as("the library open only: the secret is kept out now").isEqualTo(1);
        assertThat(out.alerts()).extracting(Alert::output).endsWith("cat opened /usr/lib/libc.so.6 in web");
        assertThat(out.alerts()).extracting(Alert::output).isSubsetOf("ld opened /usr/lib/libm.so.6 in web",
                "cat opened /usr/lib/libc.so.6 in web");
    }

    @Test
    void aReloadThatFailsGivesTheIntakesTheRunningRulesBack() throws Exception {
        Pipeline p = new Pipeline(TestEvents.rules(TestEvents.SECRET_RULE), replay(), new InMemoryOutput(),
                new OutputRenderer()).start();
        try {
            // A session that cannot be made (here: no rule base at all) ends the reload with the running rules.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.swap(null)).isInstanceOf(RuntimeException.class);
            assertThat(p.admitting()).as("the running rules' filter, not none for good").isNotNull();
            Intake intake = p.intake();
            intake.offer(open(T0, 5, "cat", "/usr/lib/libc.so.6"));
            assertThat(intake.skipped(EventType.FILE)).isEqualTo(1);
        } finally {
            p.close();
        }
    }
}
