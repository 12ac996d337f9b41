package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.internal.HeapGiveBack;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The full collections HeapGiveBack runs, and how long they stopped the monitor, on the scrape. */
class HeapGiveBackMetricsTest {
    private static final String COUNT = "eunomia_heap_give_back_collections_seconds_count";
    private static final String SUM = "eunomia_heap_give_back_collections_seconds_sum";
    private static final String LAST = "eunomia_heap_give_back_last_pause_seconds";

    @Test
    void itsCollectionsAndTheirPausesAreCounted() throws Exception {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (HeapGiveBack giveBack = HeapGiveBack.start()) {
            giveBack.bindTo(registry);
            String before = registry.scrape();
            assertThat(Scrapes.value(before, COUNT)).isZero();
            assertThat(Scrapes.value(before, SUM)).isZero();
            assertThat(Scrapes.value(before, LAST)).isZero();
            giveBack.collect();
            giveBack.collect();
            String after = registry.scrape();
            assertThat(Scrapes.value(after, COUNT)).isEqualTo(2);
            double sum = Scrapes.value(after, SUM);
            double last = Scrapes.value(after, LAST);
            assertThat(last).as(after).isPositive();
            assertThat(sum).as(after).isGreaterThan(last);
            Scrapes.assertPromtoolAccepts(after);
        }
    }
}
