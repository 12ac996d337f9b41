package io.eunomia.engine.metrics;

import io.eunomia.profiler.Learner;
import io.eunomia.profiler.UsageStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Learning's figures: containers being learned, items learned and seconds since the last new item
 * per profile, the kernel maps' fill levels and what they could not record. Gauges read the
 * learner at scrape time; per-profile series are refreshed by {@link #update()} after each poll.
 */
public final class LearningMetrics implements MeterBinder {
    private final Learner learner;
    private MultiGauge items;
    private MultiGauge lastNewAge;

    public LearningMetrics(Learner learner) {
        this.learner = learner;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("eunomia.learning.containers", learner, Learner::activeNamespaces)
                .description("Containers (mount namespaces) being learned now").register(registry);
        items = MultiGauge.builder("eunomia.learning.items")
                .description("Items learned per profile: syscalls, capabilities, executables, argument values")
                .register(registry);
        lastNewAge = MultiGauge.builder("eunomia.learning.last.new.item.age")
                .description("Seconds since the profile learned something new").baseUnit("seconds")
                .register(registry);
        map(registry, "syscalls", UsageStats::namespaces, UsageStats::capacity);
        map(registry, "capabilities", UsageStats::capNamespaces, UsageStats::capCapacity);
        map(registry, "arguments", UsageStats::argumentEntries, UsageStats::argumentCapacity);
        counter(registry, "map_full", s -> s.syscallsNotRecorded());
        counter(registry, "arguments_full", s -> s.argumentsNotRecorded());
        counter(registry, "out_of_range", s -> s.outOfRange());
        // namespaces, not calls: the capability map is LRU and drops whole namespaces when full
        counter(registry, "capabilities_evicted", s -> s.capEvicted());
    }

    private void map(MeterRegistry registry, String map, ToDoubleFunction<UsageStats> used, ToDoubleFunction<UsageStats> cap) {
        Gauge.builder("eunomia.learning.map.entries", learner, l -> l.stats().map(used::applyAsDouble).orElse(0.0))
                .description("Entries in a kernel learning map").tag("map", map).register(registry);
        Gauge.builder("eunomia.learning.map.capacity", learner, l -> l.stats().map(cap::applyAsDouble).orElse(0.0))
                .description("Entries a kernel learning map can hold").tag("map", map).register(registry);
    }

    private void counter(MeterRegistry registry, String reason, ToDoubleFunction<UsageStats> f) {
        FunctionCounter.builder("eunomia.learning.not.recorded", learner, l -> l.stats().map(f::applyAsDouble).orElse(0.0))
                .description("What the kernel could not record for learning (full maps, numbers out of range)")
                .tag("reason", reason).register(registry);
    }

    /** Refreshes the per-profile series (call after a poll). */
    public void update() {
        List<MultiGauge.Row<?>> itemRows = new ArrayList<>();
        List<MultiGauge.Row<?>> ageRows = new ArrayList<>();
        for (Learner.Progress p : learner.progress()) {
            Tags tags = Tags.of("profile", p.name());
            itemRows.add(MultiGauge.Row.of(tags, p.items()));
            ageRows.add(MultiGauge.Row.of(tags, p.sinceLastNew().toMillis() / 1000.0));
        }
        items.register(itemRows, true);
        lastNewAge.register(ageRows, true);
    }
}
