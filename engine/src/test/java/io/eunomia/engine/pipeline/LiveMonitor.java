package io.eunomia.engine.pipeline;

import io.eunomia.bpf.Compat32;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.event.Event;
import io.eunomia.event.EventStream;
import io.eunomia.testkit.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.function.Predicate;

/**
 * A monitor with the real sensors for the live rule tests (no aggregation: one alert an act) and
 * the alerts it raised, read after a mark each test takes ({@link #markTestStart()}) so an alert
 * of an earlier test cannot stand in. Either a monitor of its own, closed with it, or a lease of a
 * shared one ({@link #sharedDefaultPack}, {@link #sharedWithProbeRules}), whose close gives the lease back.
 */
final class LiveMonitor implements AutoCloseable {
    private final InMemoryOutput out;
    private final Monitor monitor;
    private final Duration wait;
    /** What close does: closes the monitor, or gives a lease of the shared one back. */
    private final Runnable onClose;
    private final List<EventStream.Subscription> subscriptions = new ArrayList<>();
    /** The kernel's losses when this monitor or lease began: a shared monitor's earlier ones are other classes'. */
    private final Map<String, Long> lostBefore;
    private volatile Recorder.Mark testStart;

    private LiveMonitor(InMemoryOutput out, Monitor monitor, Duration wait, Runnable onClose) {
        this.out = out;
        this.monitor = monitor;
        this.wait = wait;
        this.onClose = onClose;
        this.lostBefore = Map.copyOf(monitor.sensors().lostBySensor());
        this.testStart = out.mark();
    }

    /** The default pack alone, in a monitor of its own (for a class that needs one: files that must exist before it starts). */
    static LiveMonitor defaultPack(Duration wait) throws Exception {
        return start(new RuleLoader(List.of(), true), wait);
    }

    /**
     * The default pack alone, in the monitor the classes marked {@link SharesLiveMonitor} share
     * ({@link SharedLiveMonitor}); its alerts are read after this lease began.
     */
    static LiveMonitor sharedDefaultPack(Class<?> testClass, Duration wait) throws Exception {
        return SharedLiveMonitor.lease(testClass, SharedLiveMonitor.Configuration.DEFAULT_PACK, wait);
    }

    /**
     * The default pack and the test rules of every class marked
     * {@code @SharesLiveMonitor(DEFAULT_PACK_AND_PROBES)}, in the monitor they share; its alerts are
     * read after this lease began.
     */
    static LiveMonitor sharedWithProbeRules(Class<?> testClass, Duration wait) throws Exception {
        return SharedLiveMonitor.lease(testClass, SharedLiveMonitor.Configuration.DEFAULT_PACK_AND_PROBES, wait);
    }

    /** A lease of a running shared monitor: close runs giveBack, the monitor stays. */
    static LiveMonitor lease(InMemoryOutput out, Monitor monitor, Duration wait, Runnable giveBack) {
        return new LiveMonitor(out, monitor, wait, giveBack);
    }

    /** The default pack alone, watching 32-bit calls as the monitor's default does (auto), for the tests about them. */
    static LiveMonitor defaultPackWith32BitCalls(Duration wait) throws Exception {
        return start(new RuleLoader(List.of(), true), wait, o -> o.withCompat32(Compat32.AUTO));
    }

    static LiveMonitor start(RuleLoader rules, Duration wait) throws Exception {
        return start(rules, wait, o -> o);
    }

    private static LiveMonitor start(RuleLoader rules, Duration wait, UnaryOperator<SensorOptions> sensorOptions) throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        Monitor m = startMonitor(rules, out, sensorOptions);
        return new LiveMonitor(out, m, wait, m::close);
    }

    /** The live tests' monitor: no aggregation (one alert an act), alerts into out. */
    static Monitor startMonitor(RuleLoader rules, InMemoryOutput out, UnaryOperator<SensorOptions> sensorOptions) throws Exception {
        return Monitor.start(rules, out, Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), sensorOptions);
    }

    InMemoryOutput out() {
        return out;
    }

    /** Records the kernel could not deliver since this monitor (lease) began, per sensor: an alert missed under load may be one of them. */
    Map<String, Long> lostInKernel() {
        return since(lostBefore, monitor.sensors().lostBySensor());
    }

    /** The sensors' events that pass filter, to consumer, until this monitor (or lease) is closed. */
    synchronized void subscribe(Predicate<? super Event> filter, Consumer<? super Event> consumer) {
        subscriptions.add(monitor.sensors().subscribe(filter, consumer));
    }

    /** Runs act while this monitor's poller is held ({@link PollerHold}): its records decoded after every process of it ended. */
    void whilePollerHeld(Predicate<Event> trigger, List<String> command, PollerHold.Act act) throws Exception {
        PollerHold.whileHeld(monitor.sensors(), wait, trigger, command, act);
    }

    private static Map<String, Long> since(Map<String, Long> before, Map<String, Long> now) {
        Map<String, Long> d = new java.util.TreeMap<>();
        now.forEach((sensor, n) -> d.put(sensor, n - before.getOrDefault(sensor, 0L)));
        return d;
    }

    void markTestStart() {
        testStart = out.mark();
    }

    /** The first alert of the rule since the test began that matches. */
    Alert await(String rule, Predicate<Alert> which) throws InterruptedException {
        return out.awaitAfter(testStart, rule, which, wait);
    }

    /**
     * Waits until the identity watch names opens of the file at onHost (a host path; a container's
     * file through /proc/PID/root) with name: what the monitor does when it takes in a hard link
     * made to a watched file. Polls the kernel map; ends as soon as the entry is there.
     */
    void awaitIdentityWatch(java.nio.file.Path onHost, String name) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        java.util.Optional<String> now = monitor.sensors().identityWatchName(onHost);
        while (!now.equals(java.util.Optional.of(name))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after " + wait + " the identity watch names " + onHost + " "
                        + now.map(n -> "'" + n + "'").orElse("not at all") + ", not '" + name + "'");
            }
            Thread.sleep(20);
            now = monitor.sensors().identityWatchName(onHost);
        }
    }

    /** The alerts since the test began. */
    List<Alert> sinceTestStart() {
        return out.since(testStart);
    }

    /** The rules that fired about a process (or a child of it) since the test began. */
    List<String> rulesFor(long pid) {
        return LiveProcesses.rulesFor(out, testStart, pid);
    }

    /** Those alerts, one line each, for an assertion's message. */
    String describe(long pid) {
        return LiveProcesses.describe(out, testStart, pid);
    }

    /** Closes a monitor that started (null: the set-up failed before). */
    static void close(LiveMonitor m) {
        if (m != null) {
            m.close();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            subscriptions.forEach(EventStream.Subscription::close);
            subscriptions.clear();
        }
        onClose.run();
    }
}
