package io.eunomia.engine.metrics;

import io.eunomia.engine.output.DeliveryQueue;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.Function;

/**
 * What one output could not deliver: {@code eunomia_output_failures_total{output}} (failed
 * writes or requests, each retry counts) and {@code eunomia_dropped_events_total{stage="output"}}
 * (alerts lost: queue full, retries spent, refused, or still queued at shutdown).
 *
 * @param source the output; the registry holds it weakly, as it does every counted object
 */
public record OutputMetrics<T>(String output, T source, Function<T, DeliveryQueue.Stats> stats) implements MeterBinder {
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("eunomia.output.failures", source, s -> stats.apply(s).failedAttempts())
                .description("Alert writes or requests that failed (each retry counts)")
                .tag("output", output)
                .register(registry);
        FunctionCounter.builder("eunomia.dropped.events", source, s -> stats.apply(s).lost())
                .description("Events lost, by pipeline stage (output: alerts an output could not deliver)")
                .tags("stage", "output", "source", output)
                .register(registry);
    }
}
