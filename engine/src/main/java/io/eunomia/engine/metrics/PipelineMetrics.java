package io.eunomia.engine.metrics;

import io.eunomia.engine.output.QueuedOutput;
import io.eunomia.engine.pipeline.Pipeline;
import io.eunomia.event.EventType;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The rule engine's figures: events dropped at the pipeline queue, its depth, rule evaluation time
 * per batch (a histogram), facts held, reloads and rule failures, and for each queued output what
 * it could not write.
 */
public final class PipelineMetrics implements MeterBinder {
    private final Pipeline pipeline;
    private final List<QueuedOutput> outputs;

    public PipelineMetrics(Pipeline pipeline, List<QueuedOutput> outputs) {
        this.pipeline = pipeline;
        this.outputs = List.copyOf(outputs);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("eunomia.dropped.events", pipeline, p -> p.stats().dropped())
                .description("Events lost, by pipeline stage (queue: the rule engine fell behind)")
                .tags("stage", "queue", "source", "pipeline")
                .register(registry);
        for (EventType t : EventType.values()) {
            FunctionCounter.builder("eunomia.events.skipped", pipeline, p -> p.skipped(t))
                    .description("Events of a type some rule reads that no rule's pattern could accept: kept out of the rule session")
                    .tag("type", t.cliName())
                    .register(registry);
        }
        Gauge.builder("eunomia.pipeline.queue.depth", pipeline, Pipeline::queueDepth)
                .description("Events waiting for the rule engine")
                .register(registry);
        Gauge.builder("eunomia.session.facts", pipeline, p -> p.stats().facts())
                .description("Events held by the rule session (windows, sequences)")
                .register(registry);
        FunctionCounter.builder("eunomia.session.evictions", pipeline, p -> p.stats().evicted())
                .description("Events deleted before their expiry because the session held too many (a flood)")
                .register(registry);
        FunctionCounter.builder("eunomia.rule.reloads", pipeline, p -> p.stats().reloads())
                .description("Rule sets swapped in by hot reload")
                .register(registry);
        FunctionCounter.builder("eunomia.rule.failures", pipeline, p -> p.stats().errors())
                .description("Batches in which a rule threw")
                .register(registry);
        Timer evaluation = Timer.builder("eunomia.rule.evaluation")
                .description("Time to insert a batch of events and fire the rules")
                .publishPercentileHistogram()
                .register(registry);
        pipeline.onBatch((events, nanos) -> evaluation.record(nanos, TimeUnit.NANOSECONDS));
        for (QueuedOutput o : outputs) {
            new OutputMetrics<>(o.name(), o, QueuedOutput::stats).bindTo(registry);
        }
    }
}
