package io.eunomia.engine.metrics;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.AlertOutput;
import io.eunomia.rules.Priority;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Counts alerts on their way to the outputs: {@code eunomia_alerts_total{rule,priority}},
 * {@code eunomia_container_alerts_total{container}} (bounded: {@link ContainerAlertCounters}) and
 * {@code eunomia_alerts_suppressed_total{rule}} (occurrences reported in a summary, not one by one).
 */
public final class MeteredOutput implements AlertOutput {
    private final AlertOutput delegate;
    private final MeterRegistry registry;
    private final ContainerAlertCounters containers;

    public MeteredOutput(AlertOutput delegate, MeterRegistry registry) {
        this(delegate, registry, ContainerAlertCounters.DEFAULT_IDLE, ContainerAlertCounters.DEFAULT_MAX_SERIES, System::nanoTime);
    }

    /**
     * @param containerIdle      a container's series goes after this long without an alert
     * @param maxContainerSeries containers past this many are counted as container="other"
     * @param nanoClock          monotonic nanoseconds
     */
    MeteredOutput(AlertOutput delegate, MeterRegistry registry, Duration containerIdle, int maxContainerSeries,
                  LongSupplier nanoClock) {
        this.delegate = delegate;
        this.registry = registry;
        this.containers = new ContainerAlertCounters(registry, containerIdle, maxContainerSeries, nanoClock);
    }

    /**
     * Creates every rule's counter at 0: Prometheus' increase() cannot see a counter's first
     * increment when the series is born with it, so alerting rules would miss the first alert.
     * Given to {@link io.eunomia.engine.pipeline.Pipeline#onRules}, this covers rules a reload adds.
     */
    public void preregister(RuleBase rules) {
        for (RuleInfo r : rules.rules()) {
            counter(r.name(), r.priority());
            suppressed(r.name());
        }
    }

    @Override
    public void emit(Alert alert) {
        // An aggregated summary stands for `count` occurrences: the counters count occurrences.
        counter(alert.rule(), alert.priority()).increment(alert.count());
        containers.increment(alert.container().isResolved() ? alert.container().name() : "unknown", alert.count());
        if (alert.summary()) {
            suppressed(alert.rule()).increment(alert.count());
        }
        delegate.emit(alert);
    }

    private Counter suppressed(String rule) {
        return Counter.builder("eunomia.alerts.suppressed")
                .description("Occurrences folded into an aggregated summary instead of an alert line of their own, by rule")
                .tag("rule", rule)
                .register(registry);
    }

    private Counter counter(String rule, Priority priority) {
        return Counter.builder("eunomia.alerts")
                .description("Alerts raised, by rule and priority")
                .tag("rule", rule)
                .tag("priority", priority.name().toLowerCase(Locale.ROOT))
                .register(registry);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
