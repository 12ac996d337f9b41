package io.eunomia.engine.pipeline;

import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.rules.AlertSink;
import io.eunomia.rules.RuleBase;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.drools.core.time.SessionPseudoClock;
import org.kie.api.KieServices;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionConfiguration;
import org.kie.api.runtime.conf.ClockTypeOption;

/**
 * One STREAM-mode Drools session and the rule base it runs. Not thread-safe (neither is a
 * KieSession): one thread owns it. Events go in by batches: insert all, fire once, which is what
 * makes the session fast (a fire per event costs more than the inserts).
 *
 * <p>Both clock modes run Drools' pseudo clock, moved by the owning thread: to each event's time
 * ({@link ClockMode#EVENT_TIME}) or to the wall clock at each insert and fire
 * ({@link ClockMode#REALTIME}). Drools' real-time clock would start a timer thread of its own
 * (unnamed, and waking for every cancelled expiry job until its time); the pseudo clock runs the due
 * expiry and timer jobs on this thread when it moves, and drops cancelled jobs in bulk.
 */
public final class RuleSession implements AutoCloseable {
    private final RuleBase rules;
    private final KieSession session;
    private final SessionPseudoClock pseudo;
    private final boolean wallClock;
    private final boolean[] wanted = new boolean[EventType.values().length];
    private final SessionFilter filter;
    private final long[] skipped = new long[EventType.values().length];

    /** The most events kept for multi-event rules (see {@link Retention}). */
    public static final int DEFAULT_MAX_RETAINED = 200_000;
    private final Retention retention;
    private final FilterMode filterMode;

    public RuleSession(RuleBase rules, ClockMode clock, AlertSink alerts) {
        this(rules, clock, alerts, DEFAULT_MAX_RETAINED);
    }

    public RuleSession(RuleBase rules, ClockMode clock, AlertSink alerts, int maxRetained) {
        this(rules, clock, alerts, maxRetained, FilterMode.DIRECT);
    }

    /** @param filterMode how events are filtered before they enter the session ({@link SessionFilter}) */
    public RuleSession(RuleBase rules, ClockMode clock, AlertSink alerts, int maxRetained, FilterMode filterMode) {
        this.rules = rules;
        this.filterMode = filterMode;
        KieSessionConfiguration conf = KieServices.get().newKieSessionConfiguration();
        conf.setOption(ClockTypeOption.PSEUDO);
        this.session = rules.kieBase().newKieSession(conf, null);
        this.session.setGlobal(AlertSink.GLOBAL, alerts);
        this.pseudo = session.getSessionClock();
        this.wallClock = clock == ClockMode.REALTIME;
        if (wallClock) {
            advanceToMillis(System.currentTimeMillis());
        }
        for (EventType t : rules.eventTypes()) {
            wanted[t.ordinal()] = true;
        }
        this.retention = new Retention(rules.kieBase(), maxRetained);
        this.filter = newFilter();
    }

    public RuleBase rules() {
        return rules;
    }

    /** Whether any rule reads events of this type (others never enter the session). */
    public boolean wants(Event e) {
        return wanted[e.type().ordinal()];
    }

    /**
     * Another filter for this session's rules, for another thread (a filter is one thread's): the
     * rule base's constraints may be evaluated by several threads; the session is read for globals only.
     */
    SessionFilter newFilter() {
        return new SessionFilter(rules.kieBase(), (org.drools.base.base.ValueResolver) session, filterMode);
    }

    /** Whether the event would be inserted: a type some rule reads, and some pattern can accept it. */
    boolean wouldInsert(Event e) {
        return wanted[e.type().ordinal()] && filter.admits(e);
    }

    /** The filter's verdict alone, whether or not a rule reads the event's type. */
    boolean passesFilter(Event e) {
        return filter.admits(e);
    }

    /** Where the event passes the filter: for tests and diagnostics. */
    List<String> admittedBy(Event e) {
        return filter.admittedBy(e);
    }

    /** Whether every event of the type goes in when some rule reads it (nothing to filter on). */
    boolean admitsAll(EventType t) {
        return filter.admitsAll(t);
    }

    /**
     * Inserts the batch's wanted events that some pattern can accept ({@link SessionFilter}; the
     * others are counted in {@link #skipped}) and fires the rules once.
     *
     * @return how many events entered the session (the skipped ones are not counted here)
     */
    public int process(List<Event> batch) {
        int wantedEvents = 0;
        int inserted = 0;
        for (int i = 0, n = batch.size(); i < n; i++) {
            Event e = batch.get(i);
            int type = e.type().ordinal();
            if (!wanted[type]) {
                continue;
            }
            wantedEvents++;
            // Event time: as if inserted at its time (time-driven rules see the same clock);
            // wall clock: the time of the insert, as Drools' real-time clock would give.
            advanceToMillis(wallClock ? System.currentTimeMillis() : e.epochNanos() / 1_000_000);
            if (filter.admits(e)) {
                retention.inserted(session.insert(e));
                inserted++;
            } else {
                skipped[type]++;
            }
        }
        // Fired as before the filter (timers and expiries are due at a fire even when all were skipped).
        if (wantedEvents > 0) {
            session.fireAllRules();
            retention.afterFire(session, session.getSessionClock().getCurrentTime());
        }
        return inserted;
    }

    /** Events of this type no pattern could accept, kept out of the session. */
    public long skipped(EventType t) {
        return skipped[t.ordinal()];
    }

    /** Events deleted before their expiry because the session held too many (a flood). */
    public long evicted() {
        return retention.evicted();
    }

    /** Fires what became due without new events (timers, absence of an event in a window). */
    public void fire() {
        if (wallClock) {
            advanceToMillis(System.currentTimeMillis());   // runs the expiry and timer jobs now due
        }
        session.fireAllRules();
    }

    /**
     * Event time only: moves the clock forward (never back: a late event is taken as happening
     * now), which also expires events whose time has passed.
     */
    public void advanceTo(long epochNanos) {
        if (wallClock) {
            throw new IllegalStateException("a real-time session's clock follows the wall clock");
        }
        advanceToMillis(epochNanos / 1_000_000);
    }

    private void advanceToMillis(long targetMillis) {
        long now = pseudo.getCurrentTime();
        if (targetMillis > now) {
            pseudo.advanceTime(targetMillis - now, TimeUnit.MILLISECONDS);
        }
    }

    /** The session's time in epoch nanoseconds (for ending alert aggregation windows). */
    public long nowNanos() {
        return wallClock ? System.currentTimeMillis() * 1_000_000 : pseudo.getCurrentTime() * 1_000_000;
    }

    /** Events currently held by the session (those not yet expired). */
    public long factCount() {
        return session.getFactCount();
    }

    @Override
    public void close() {
        session.dispose();
    }
}
