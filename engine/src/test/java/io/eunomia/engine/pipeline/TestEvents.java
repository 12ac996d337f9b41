package io.eunomia.engine.pipeline;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessFacts;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.StreamKind;
import io.eunomia.rules.DrlCompiler;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleSource;
import java.util.List;
import java.util.Map;

/** Events and rules for pipeline tests. */
public final class TestEvents {
    public static final long T0 = 1_700_000_000_000_000_000L;
    public static final ContainerInfo WEB = new ContainerInfo("a".repeat(64), "web", "nginx:1", "docker", "", "");

    /** Raises an alert for every open of a path under /secret. */
    public static final String SECRET_RULE = """
            package test;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;
            rule "Secret opened"
              @priority("CRITICAL") @tags("test,T0000") @output("%proc.name opened %fd.name in %container.name")
            when
              $e : FileEvent( op == FileOp.OPEN, path str[startsWith] "/secret" )
            then
              alerts.raise(drools, $e);
            end
            """;

    private TestEvents() {}

    /** The process with the facts of one whose program the process table saw exec'd on the host (proc.exec_on_host). */
    public static ProcessInfo execdOnHost(ProcessInfo p) {
        return p.withFacts(new ProcessFacts("", "", List.of(), "", "", 0, -1, -1, -1, false, -1, false, false, 0, true));
    }

    public static ProcessInfo proc(int pid, String comm, ContainerInfo c) {
        return new ProcessInfo(pid, pid, 1, 1000, 1000, 1000, 1000, comm, 4026531841L, 2, 4026531836L, 1, c);
    }

    public static FileEvent open(long nanos, int pid, String comm, String path) {
        return new FileEvent(nanos, proc(pid, comm, WEB), FileOp.OPEN, "openat", path, "", 0, 0, -1, -1, 3, true);
    }

    public static FileEvent open(long nanos, int pid, String comm, String path, long result) {
        return new FileEvent(nanos, proc(pid, comm, WEB), FileOp.OPEN, "openat", path, "", 0, 0, -1, -1, result, result >= 0);
    }

    public static ExecEvent exec(long nanos, int pid, String exe) {
        return new ExecEvent(nanos, proc(pid, exe.substring(exe.lastIndexOf('/') + 1), WEB), pid, exe, List.of(exe), 1,
                false, "", StreamKind.PIPE, StreamKind.PIPE, StreamKind.PIPE, 0);
    }

    /**
     * How long a test waits for a pipeline to process what it was given: the wait ends once it has; a cold
     * JVM (Drools' first rule runs) on a loaded machine takes seconds for what takes milliseconds when quiet.
     */
    public static final java.time.Duration PROCESSED = java.time.Duration.ofSeconds(60);

    /** Settings of a replay: event time, no aggregation. */
    public static Pipeline.Settings replaySettings() {
        return Pipeline.Settings.defaults().withClock(ClockMode.EVENT_TIME).withAggregationWindow(java.time.Duration.ZERO);
    }

    /** A started replay pipeline of {@link #SECRET_RULE} into out, its metrics bound to registry. */
    public static Pipeline secretPipeline(io.eunomia.engine.output.InMemoryOutput out,
                                          io.micrometer.core.instrument.MeterRegistry registry) throws Exception {
        Pipeline p = new Pipeline(rules(SECRET_RULE), replaySettings(), out, new io.eunomia.engine.alert.OutputRenderer()).start();
        new io.eunomia.engine.metrics.PipelineMetrics(p, List.of()).bindTo(registry);
        return p;
    }

    /** The alerts the rules raise on the events, run through a pipeline in event time without aggregation. */
    public static List<io.eunomia.engine.alert.Alert> replay(RuleBase rules, List<? extends io.eunomia.event.Event> events)
            throws Exception {
        io.eunomia.engine.output.InMemoryOutput out = new io.eunomia.engine.output.InMemoryOutput();
        Pipeline p = new Pipeline(rules, replaySettings(), out, new io.eunomia.engine.alert.OutputRenderer()).start();
        try {
            events.forEach(p::offer);
            if (!p.awaitProcessed(PROCESSED)) {
                throw new AssertionError("the pipeline did not process " + events.size() + " events in " + PROCESSED);
            }
        } finally {
            p.close();
        }
        return out.alerts();
    }

    public static RuleBase rules(String... drl) throws Exception {
        List<RuleSource> sources = new java.util.ArrayList<>();
        for (int i = 0; i < drl.length; i++) {
            sources.add(new RuleSource("test" + i + ".drl", drl[i]));
        }
        return DrlCompiler.compile(sources, Map.of());
    }
}
