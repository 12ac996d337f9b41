package io.eunomia.engine.pipeline;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.PhaseTimer;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.engine.alert.OutputRenderer;
import io.eunomia.engine.output.AlertOutput;
import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.event.NetInterest;
import io.eunomia.rules.FileReadNeeds;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleError;
import java.util.List;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Live monitoring: rules compiled, the sensors their event types need loaded, kernel events
 * through the pipeline to the output; rules reloaded on demand (SIGHUP, file change) without
 * losing events. Sensors exclude our own process, so we never alert on ourselves.
 */
public final class Monitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Monitor.class.getName());

    /**
     * How long each start-up step took, for the ready line and the start-up budget.
     *
     * @param fileReads the successful read-only opens the sensors report (what the rules read)
     * @param netEvents the socket events the sensors report (what the rules can match)
     */
    public record Startup(long compileMillis, long sensorsMillis, int rules, Set<Sensor> sensors, FileReadNeeds fileReads,
                          NetInterest netEvents) {}

    private final Pipeline pipeline;
    private final KernelSensors sensors;
    private final RuleReloader reloader;
    private final Startup startup;
    private RuleWatcher watcher;
    private boolean stopped;

    private Monitor(Pipeline pipeline, KernelSensors sensors, RuleReloader reloader, Startup startup) {
        this.pipeline = pipeline;
        this.sensors = sensors;
        this.reloader = reloader;
        this.startup = startup;
    }

    /**
     * @param sensorOptions adjusts the sensor options (tests: a pid filter); identity otherwise
     */
    public static Monitor start(RuleLoader loader, AlertOutput output, Pipeline.Settings settings,
                                UnaryOperator<SensorOptions> sensorOptions) throws IOException, RuleCompileException {
        return start(loader, output, settings, sensorOptions, e -> true);
    }

    /**
     * @param sensorOptions adjusts the sensor options (tests: a pid filter; profile enforcement adds
     *                      its sensor); identity otherwise
     * @param direct        the events that go straight from the sensors into the rules (the others
     *                      are someone else's to offer to {@link #pipeline()}: profile violations,
     *                      which the enforcer attributes first)
     */
    public static Monitor start(RuleLoader loader, AlertOutput output, Pipeline.Settings settings,
                                UnaryOperator<SensorOptions> sensorOptions, Predicate<Event> direct)
            throws IOException, RuleCompileException {
        long t0 = System.nanoTime();
        PhaseTimer phases = new PhaseTimer(LOG);
        LOG.log(Level.DEBUG, "start-up: JVM start to monitor start " + (System.currentTimeMillis()
                - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()) + " ms");
        RuleBase rules = loader.load();
        long compiled = System.nanoTime();
        phases.mark("rules built or loaded");
        Set<Sensor> needed = Sensor.forTypes(rules.eventTypes());
        if (needed.isEmpty()) {
            throw new RuleCompileException(List.of(new RuleError(loader.paths().isEmpty() ? "(rules)" : loader.paths().getFirst().toString(),
                    0, 0, "no rule reads an event type that a sensor produces (" + rules.eventTypes() + "): nothing to watch")));
        }
        Pipeline pipeline = new Pipeline(rules, settings, output, new OutputRenderer()).start();
        phases.mark("rule session started");
        KernelSensors stream;
        try {
            // Reads no rule can match stay in the kernel (most opens are reads of libraries and configuration),
            // and so do socket events no rule can match (a web server's accept per request).
            stream = KernelSensors.start(sensorOptions.apply(SensorOptions.of(needed).withReadPrefixes(rules.fileReads().filter())
                    .withMissPrefixes(rules.missingReads().filter()).withTimesPrefixes(rules.timesSet().filter())
                    .withNetInterest(rules.netEvents())));
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
        // On the poller thread: what no rule can accept stops there; the rest is handed off, a round at a time, never blocking.
        Intake intake = pipeline.intake();
        stream.subscribe(direct, intake::offer, intake::flush);
        Set<EventType> observable = EnumSet.noneOf(EventType.class);
        stream.sensors().forEach(s -> observable.addAll(s.eventTypes()));
        long ready = System.nanoTime();
        phases.mark("sensors loaded and attached (all)");
        LOG.log(Level.DEBUG, "start-up: ready " + (System.currentTimeMillis()
                - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()) + " ms after the JVM started, "
                + PhaseTimer.processCpuMillis() + " ms cpu (the whole process)");
        Startup startup = new Startup((compiled - t0) / 1_000_000, (ready - compiled) / 1_000_000, rules.rules().size(),
                stream.sensors(), rules.fileReads(), rules.netEvents());
        LOG.log(Level.DEBUG, "file reads the rules need: " + rules.fileReads().describe());
        LOG.log(Level.DEBUG, "opens of missing files the rules need: " + rules.missingReads().describe());
        LOG.log(Level.DEBUG, "explicit times set the rules need: " + rules.timesSet().describe());
        LOG.log(Level.INFO, stream.compat32().toString());
        LOG.log(Level.DEBUG, "socket events the rules need: " + rules.netEvents().describe());
        return new Monitor(pipeline, stream, new RuleReloader(loader, pipeline, observable,
                RuleReloader.KernelFilters.of(rules),
                stream::updateReadPrefixes, stream::updateMissPrefixes, stream::updateTimesPrefixes, stream::updateNetInterest, stream::forgetReportedDestinations), startup);
    }

    public Startup startup() {
        return startup;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public KernelSensors sensors() {
        return sensors;
    }

    public RuleReloader reloader() {
        return reloader;
    }

    /** Reloads when a rule file under the loader's paths changes. */
    public void watchRuleFiles(RuleLoader loader) throws IOException {
        if (!loader.paths().isEmpty()) {
            watcher = new RuleWatcher(loader.paths(), () -> reloader.reload("rule file changed"));
        }
    }

    /**
     * Stops event delivery, then lets the pipeline finish what the sensors delivered. The sensors
     * stay attached until {@link #close}: detaching takes seconds (see {@link KernelSensors#stop}).
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing the rule watcher: " + e);
            }
        }
        reloader.close();
        sensors.stop();
        pipeline.close();
    }

    /** Stops (if not yet) and detaches the sensors. */
    @Override
    public synchronized void close() {
        stop();
        sensors.close();
    }

    /**
     * Stops (if not yet) and switches the sensors off at once, leaving the slow part of detaching
     * to the kernel ({@link KernelSensors#closeInBackground}): for a command about to exit.
     */
    public synchronized void closeInBackground() {
        stop();
        sensors.closeInBackground();
    }
}
