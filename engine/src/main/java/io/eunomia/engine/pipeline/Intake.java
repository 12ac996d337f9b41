package io.eunomia.engine.pipeline;

import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One producer thread's way into the {@link Pipeline} (the sensor poller's). Events that no rule
 * reads, or that no pattern can accept ({@link SessionFilter}, the same verdict the session's own
 * filter gives), stop here: such events are most of what the sensors deliver, and each cost the
 * pipeline thread a hand-off and a filter run before. The rest are handed over together at
 * {@link #flush} (the end of the producer's round): one lock and at most one wake-up of the pipeline
 * thread per round instead of per event — a thread's wake-up costs ~100 µs of CPU on this VM, more
 * than a round of events (bench/README.md, the monitor's own cost). Latency: an event waits until
 * the producer has read what its source held (the rest of the ring buffer), never for a timer.
 * <p>
 * While a rule reload is under way every event is handed over (the new rules may want what the old
 * ones did not); once the pipeline thread runs the new session, the filter follows it.
 * <p>
 * Not thread-safe: one producer thread (the filter's probe is this thread's).
 */
public final class Intake {
    private final Pipeline pipeline;
    private final int maxPending;
    private final List<Event> pending;
    /** Events stopped here because no pattern could accept them, by type; one writer (lazySet), read by metrics. */
    private final AtomicLongArray skipped = new AtomicLongArray(EventType.values().length);
    private RuleSession filteredFor;
    private SessionFilter filter;

    Intake(Pipeline pipeline, int maxPending) {
        this.pipeline = pipeline;
        this.maxPending = maxPending;
        this.pending = new ArrayList<>(Math.min(maxPending, 1024));
    }

    /** Keeps the event for the next {@link #flush} if some rule can accept it; counts it as skipped otherwise. */
    public void offer(Event e) {
        if (!admits(e)) {
            return;
        }
        pending.add(e);
        if (pending.size() >= maxPending) {
            flush();
        }
    }

    /** Hands what was kept to the pipeline thread (a full queue drops and counts, as {@link Pipeline#offer}). */
    public void flush() {
        if (!pending.isEmpty()) {
            pipeline.offerAll(pending);
            pending.clear();
        }
    }

    /** Events of this type stopped here because no pattern could accept them. */
    long skipped(EventType t) {
        return skipped.get(t.ordinal());
    }

    private boolean admits(Event e) {
        RuleSession s = pipeline.admitting();
        if (s == null) {
            return true;   // a reload is under way
        }
        if (!s.wants(e)) {
            return false;  // no rule reads the type: the session would not take it either
        }
        if (s != filteredFor) {
            filter = s.newFilter();
            filteredFor = s;
        }
        if (filter.admits(e)) {
            return true;
        }
        int t = e.type().ordinal();
        skipped.lazySet(t, skipped.get(t) + 1);
        return false;
    }
}
