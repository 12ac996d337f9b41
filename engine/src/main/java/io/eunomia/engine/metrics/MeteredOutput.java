package io.eunomia.engine.metrics;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.AlertOutput;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/** Counts alerts by rule and priority ({@code eunomia_alerts_total}) on their way to the outputs. */
public final class MeteredOutput implements AlertOutput {
    private final AlertOutput delegate;
    private final MeterRegistry registry;

    public MeteredOutput(AlertOutput delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    /**
     * Creates every rule's counter at 0: Prometheus' increase() cannot see a counter's first
     * increment when the series is born with it, so alerting rules would miss the first alert.
     */
    public void preregister(io.eunomia.rules.RuleBase rules) {
        for (io.eunomia.rules.RuleInfo r : rules.rules()) {
            counter(r.name(), r.priority());
        }
    }

    @Override
    public void emit(Alert alert) {
        // An aggregated summary stands for `count` occurrences: the counter counts occurrences.
        counter(alert.rule(), alert.priority()).increment(alert.count());
        // By container separately: containers come and go, the per-rule series above must not.
        Counter.builder("eunomia.container.alerts")
                .description("Alerts raised, by container name (host for host processes)")
                .tag("container", alert.container().isResolved() ? alert.container().name() : "unknown")
                .register(registry)
                .increment(alert.count());
        delegate.emit(alert);
    }

    private Counter counter(String rule, io.eunomia.rules.Priority priority) {
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
