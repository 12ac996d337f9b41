package io.eunomia.engine.pipeline;

import io.eunomia.engine.alert.AlertAggregator;
import io.eunomia.engine.alert.AlertFactory;
import io.eunomia.engine.alert.OutputRenderer;
import io.eunomia.engine.output.AlertOutput;
import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.rules.RuleBase;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Events to alerts: producers {@link #offer} events (never blocking: a full queue counts a drop);
 * ONE thread ("eunomia-pipeline") owns the rule session, takes events in batches, inserts them,
 * fires the rules once per batch, and passes alerts through the aggregator to the output.
 *
 * <p>A rule reload ({@link #swap}) builds the new session on the caller's thread; the pipeline
 * thread switches between two batches, so every event queued meanwhile goes to the new session
 * and none is lost. Events held by the old session (and so its open windows) are not carried over:
 * temporal rules start afresh after a reload.
 */
public final class Pipeline implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());
    /**
     * The wait for events while nothing is held that a timer could fire on ({@link #waitMillis}): only
     * an event, a reload or close can give the thread work then, and each ends the wait.
     */
    private static final long EMPTY_WAIT_MILLIS = 10_000;

    /**
     * @param queueCapacity      events the queue holds before it drops
     * @param batchSize          most events inserted per fire
     * @param clock              real time (monitoring) or event time (replay)
     * @param aggregationWindow  identical alerts within this are reported once plus a summary; 0 = off
     * @param tickMillis         how often, when idle, timers fire and aggregation windows close
     * @param roundMillis        while events flow, how long after taking a batch the pipeline thread waits
     *                           before taking the next (a full batch: at once), so that producers offering
     *                           event by event wake it once per round, not per event. 0 (the default): the
     *                           sensor poller hands over each of its rounds in one go ({@link Intake}), so
     *                           a wait would only add a wake-up. The first event after a quiet spell is
     *                           taken at once either way.
     * @param filter             how events are filtered before the session ({@link SessionFilter}): the
     *                           product's {@link FilterMode#DIRECT}, the others for paired benchmarks
     */
    public record Settings(int queueCapacity, int batchSize, ClockMode clock, Duration aggregationWindow, long tickMillis,
                           long roundMillis, FilterMode filter) {
        public static Settings defaults() {
            return new Settings(1 << 16, 2048, ClockMode.REALTIME, Duration.ofSeconds(10), 100, 0, FilterMode.DIRECT);
        }

        public Settings withFilter(FilterMode f) {
            return new Settings(queueCapacity, batchSize, clock, aggregationWindow, tickMillis, roundMillis, f);
        }

        public Settings withClock(ClockMode c) {
            return new Settings(queueCapacity, batchSize, c, aggregationWindow, tickMillis, roundMillis, filter);
        }

        public Settings withQueueCapacity(int n) {
            return new Settings(n, batchSize, clock, aggregationWindow, tickMillis, roundMillis, filter);
        }

        public Settings withAggregationWindow(Duration w) {
            return new Settings(queueCapacity, batchSize, clock, w, tickMillis, roundMillis, filter);
        }

        public Settings withBatchSize(int n) {
            return new Settings(queueCapacity, n, clock, aggregationWindow, tickMillis, roundMillis, filter);
        }

        public Settings withRoundMillis(long ms) {
            return new Settings(queueCapacity, batchSize, clock, aggregationWindow, tickMillis, ms, filter);
        }
    }

    /**
     * @param accepted  events queued
     * @param dropped   events refused because the queue was full
     * @param processed events taken off the queue and handled
     * @param inserted  events that entered the rule session: of a type some rule reads and admitted by the
     *                  {@link SessionFilter} (not counted here: events no rule reads, and {@code skipped})
     * @param batches   fires
     * @param alerts    alerts raised by rules (before aggregation)
     * @param facts     events the session holds now
     * @param reloads   rule bases swapped in
     * @param errors    batches where a rule threw
     * @param evicted   events deleted before their expiry because the session held too many
     * @param skipped   events of a type some rule reads that no pattern could accept ({@link SessionFilter}):
     *                  kept out of the session, not part of {@code inserted}
     */
    public record Stats(long accepted, long dropped, long processed, long inserted, long batches, long alerts, long facts,
                        long reloads, long errors, long evicted, long skipped) {}

    private record Swap(RuleSession session, CompletableFuture<Void> done) {}

    private final Settings settings;
    private final EventQueue queue;
    private final AlertOutput output;
    private final OutputRenderer renderer;
    private final AlertAggregator aggregator;
    private final AtomicReference<Swap> pendingSwap = new AtomicReference<>();
    private final Thread thread;
    private RuleSession session;          // pipeline thread only (and the constructor)
    /** The session whose filter {@link Intake}s apply; null while a reload is under way (they let every event through). */
    private volatile RuleSession admitting;
    private final Object admission = new Object();
    private int reloadsUnderWay;          // guarded by admission
    private RuleSession runningSession;   // guarded by admission: the session the pipeline thread runs
    private final java.util.concurrent.CopyOnWriteArrayList<Intake> intakes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile RuleBase current;
    private volatile boolean running = true;
    // Written by the pipeline thread only; volatile for readers of stats().
    private volatile long processed;
    private volatile long inserted;
    private volatile long batches;
    private volatile long alerts;
    private volatile long facts;
    private volatile long reloads;
    private volatile long errors;
    private volatile long evicted;
    private long evictedBefore; // by sessions swapped out
    private final long[] skippedBefore = new long[EventType.values().length];  // by sessions swapped out
    private final AtomicLongArray skipped = new AtomicLongArray(EventType.values().length);  // read by metrics

    public Pipeline(RuleBase rules, Settings settings, AlertOutput output, OutputRenderer renderer) {
        this.settings = settings;
        this.queue = new EventQueue(settings.queueCapacity());
        this.output = output;
        this.renderer = renderer;
        this.aggregator = new AlertAggregator(settings.aggregationWindow(), output::emit);
        this.session = newSession(rules);
        this.admitting = session;
        this.runningSession = session;
        this.current = rules;
        this.thread = Thread.ofPlatform().name("eunomia-pipeline").daemon().unstarted(this::loop);
    }

    public Pipeline start() {
        thread.start();
        return this;
    }

    /** Producer side (e.g. the sensor poller thread): queues the event or counts a drop; never blocks. */
    public boolean offer(Event e) {
        return queue.offer(e);
    }

    /**
     * A way in for one producer thread that offers events in rounds (the sensor poller): it keeps out
     * what no rule can accept and hands the rest over once per {@link Intake#flush}.
     */
    public Intake intake() {
        Intake i = new Intake(this, settings.batchSize());
        intakes.add(i);
        return i;
    }

    /** An intake's batch. */
    void offerAll(List<Event> events) {
        queue.offerAll(events);
    }

    /** The session intakes filter for; null while a reload is under way. */
    RuleSession admitting() {
        return admitting;
    }

    /** The rules running now (or about to, once a pending swap is taken). */
    public RuleBase rules() {
        return current;
    }

    /**
     * Replaces the rules. The new session is built here, on the caller's thread; the pipeline
     * thread switches to it between two batches.
     *
     * @return completes once the new rules see events
     */
    public CompletableFuture<Void> swap(RuleBase next) {
        synchronized (admission) {   // events offered from now on may be for the new rules: none kept out
            reloadsUnderWay++;
            admitting = null;
        }
        Swap s = null;
        Swap previous = null;
        try {
            tellRules(next);
            s = new Swap(newSession(next), new CompletableFuture<>());
        } finally {
            // Queued and counted off in one step: a swap taken in between would find this reload still
            // under way and leave the intakes unfiltered for good; a failed one gives them the running rules back.
            synchronized (admission) {
                if (s != null) {
                    previous = pendingSwap.getAndSet(s);
                }
                reloadsUnderWay--;
                if (reloadsUnderWay == 0 && pendingSwap.get() == null) {
                    admitting = runningSession;
                }
            }
        }
        queue.wakeUp();   // taken now, not after an idle wait
        if (previous != null) {   // never taken: superseded
            previous.session().close();
            previous.done().complete(null);
        }
        current = next;
        if (!thread.isAlive()) {
            takeSwap();
        }
        return s.done();
    }

    public Stats stats() {
        long skippedTotal = 0;
        for (EventType t : EventType.values()) {
            skippedTotal += skipped(t);
        }
        return new Stats(queue.accepted(), queue.dropped(), processed, inserted, batches, alerts, facts, reloads, errors,
                evicted, skippedTotal);
    }

    /** Events of this type that no pattern could accept, kept out of the session (since start, across reloads). */
    public long skipped(EventType t) {
        long n = skipped.get(t.ordinal());
        for (Intake i : intakes) {
            n += i.skipped(t);
        }
        return n;
    }

    /** Waits until every event queued so far has been handled (tests, replay, shutdown). */
    public boolean awaitProcessed(Duration timeout) throws InterruptedException {
        long target = queue.accepted();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (processed < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /** Handles what is still queued, closes the aggregation windows and disposes the session. */
    @Override
    public void close() {
        running = false;
        queue.wakeUp();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, "pipeline thread did not stop within 10 s");
            return;
        }
        Swap s = pendingSwap.getAndSet(null);
        if (s != null) {
            s.session().close();
            s.done().complete(null);
        }
        session.close();
    }

    private RuleSession newSession(RuleBase rules) {
        return new RuleSession(rules, settings.clock(), new AlertFactory(rules, renderer, a -> {
            alerts++;
            aggregator.accept(a);
        }), RuleSession.DEFAULT_MAX_RETAINED, settings.filter());
    }

    private void loop() {
        List<Event> batch = new ArrayList<>(settings.batchSize());
        long lastTick = System.nanoTime();
        try {
            while (running || queue.size() > 0) {
                long round = System.nanoTime();
                takeSwap();
                batch.clear();
                int n = queue.drain(batch, settings.batchSize(), running ? waitMillis() : 0);
                if (n > 0) {
                    handle(batch);
                }
                long now = System.nanoTime();
                if (n == 0 || now - lastTick > settings.tickMillis() * 1_000_000) {
                    lastTick = now;
                    tick(n == 0);
                }
                if (n > 0 && n < settings.batchSize()) {
                    restOfRound(round);
                }
            }
            takeSwap();
            aggregator.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "pipeline stopped: " + t, t);
            throw t;
        }
    }

    /**
     * How long to wait for events: the tick while the session holds events (their timers) or an
     * aggregation window is open; otherwise nothing can fire before the next event, which ends the
     * wait, so a quiet host wakes this thread every 10 s instead of ten times a second (a wake-up cost
     * ~50–150 µs of CPU on this VM: bench/README.md, the monitor's own cost).
     */
    private long waitMillis() {
        boolean empty = session.factCount() == 0 && aggregator.openWindows() == 0 && pendingSwap.get() == null;
        return empty ? Math.max(settings.tickMillis(), EMPTY_WAIT_MILLIS) : settings.tickMillis();
    }

    /**
     * Sleeps out the round (not waiting on the queue, so offers meanwhile wake nobody); events
     * queued by then are taken together.
     */
    private void restOfRound(long roundStart) {
        long left = roundStart + settings.roundMillis() * 1_000_000 - System.nanoTime();
        if (left > 0 && running) {
            LockSupport.parkNanos(left);
        }
    }

    /** Told about each batch the rules evaluated: how many events and how long it took. */
    @FunctionalInterface
    public interface BatchObserver {
        void batch(int events, long nanos);
    }

    private volatile BatchObserver batchObserver = (events, nanos) -> { };

    /** Observes rule evaluation (metrics); called on the pipeline thread, must be quick. */
    public void onBatch(BatchObserver observer) {
        this.batchObserver = observer;
    }

    private volatile Consumer<RuleBase> rulesObserver = rules -> { };

    /**
     * Tells the observer the running rules now, and the rules of every reload before they see
     * an event (on the reloading thread): metrics create each rule's series at 0 ahead of its
     * first alert.
     */
    public void onRules(Consumer<RuleBase> observer) {
        this.rulesObserver = observer;
        tellRules(current);
    }

    private void tellRules(RuleBase rules) {
        try {
            rulesObserver.accept(rules);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "an observer of the rules failed: " + e);
        }
    }

    /** Events waiting for the pipeline thread. */
    public int queueDepth() {
        return queue.size();
    }

    private void handle(List<Event> batch) {
        long t0 = System.nanoTime();
        try {
            inserted += session.process(batch);
            batchObserver.batch(batch.size(), System.nanoTime() - t0);
        } catch (RuntimeException e) {
            errors++;
            LOG.log(Level.WARNING, "a rule failed on a batch of " + batch.size() + " events: " + e);
        }
        batches++;
        processed += batch.size();
        facts = session.factCount();
        evicted = evictedBefore + session.evicted();
        publishSkipped();
    }

    private void publishSkipped() {
        for (EventType t : EventType.values()) {
            skipped.lazySet(t.ordinal(), skippedBefore[t.ordinal()] + session.skipped(t));
        }
    }

    private void tick(boolean idle) {
        try {
            if (idle) {
                session.fire();
            }
        } catch (RuntimeException e) {
            errors++;
            LOG.log(Level.WARNING, "a rule failed on a timer: " + e);
        }
        try {
            aggregator.tick(session.nowNanos());
        } catch (RuntimeException e) {
            // An output that throws must not end the pipeline thread (events would pile up unseen).
            errors++;
            LOG.log(Level.WARNING, "emitting aggregated alerts failed: " + e);
        }
        facts = session.factCount();
    }

    private void takeSwap() {
        Swap s = pendingSwap.getAndSet(null);
        if (s == null) {
            return;
        }
        RuleSession old = session;
        session = s.session();
        evictedBefore += old.evicted();
        for (EventType t : EventType.values()) {
            skippedBefore[t.ordinal()] += old.skipped(t);
        }
        publishSkipped();
        old.close();
        reloads++;
        facts = session.factCount();
        synchronized (admission) {   // intakes filter for the new rules, unless yet another reload is under way
            runningSession = session;
            if (reloadsUnderWay == 0 && pendingSwap.get() == null) {
                admitting = session;
            }
        }
        s.done().complete(null);
    }
}
