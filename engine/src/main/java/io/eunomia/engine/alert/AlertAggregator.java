package io.eunomia.engine.alert;

import io.eunomia.event.Event;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Groups alerts of one behaviour (same rule, same container, same {@link Alert#group} values —
 * not the pid) so a rule firing thousands of times stays readable: the first alert of a group goes
 * out at once; repeats within the window are counted and reported once, as a summary ("N more
 * times in M s"), when the window ends. A group that repeated stays open for another window, so
 * a storm gives one summary per window and never a second full alert; a window without repeats
 * closes the group, and the next occurrence is again a first (never delayed). Windows are measured
 * in event time, so a replay aggregates as live did. At most {@code maxGroups} groups are open:
 * past that the oldest is summarised early. Not thread-safe: used by the pipeline thread only.
 */
public final class AlertAggregator implements Consumer<Alert> {
    /** Groups open at once before the oldest is summarised early (bounded memory under a storm of distinct groups). */
    public static final int DEFAULT_MAX_GROUPS = 10_000;

    private record Key(String rule, String container, List<String> group) {}

    private static final class Window {
        final Alert first;
        final long startNanos;
        final long endNanos;
        long repeats;
        Event lastRepeat;

        Window(Alert first, long startNanos, long endNanos) {
            this.first = first;
            this.startNanos = startNanos;
            this.endNanos = endNanos;
        }
    }

    private final long windowNanos;
    private final int maxGroups;
    private final Consumer<Alert> downstream;
    private final Map<Key, Window> open = new LinkedHashMap<>();
    private long suppressed;
    private long closedEarly;

    public AlertAggregator(Duration window, Consumer<Alert> downstream) {
        this(window, DEFAULT_MAX_GROUPS, downstream);
    }

    public AlertAggregator(Duration window, int maxGroups, Consumer<Alert> downstream) {
        if (maxGroups < 1) {
            throw new IllegalArgumentException("maxGroups must be at least 1, got " + maxGroups);
        }
        this.windowNanos = window.toNanos();
        this.maxGroups = maxGroups;
        this.downstream = downstream;
    }

    @Override
    public void accept(Alert a) {
        if (windowNanos <= 0) {
            downstream.accept(a);
            return;
        }
        Key key = new Key(a.rule(), a.container().id(), List.copyOf(a.group().values()));
        Window w = open.get(key);
        while (w != null && a.epochNanos() >= w.endNanos) {
            w = roll(w);
            if (w == null) {
                open.remove(key);
            } else {
                open.put(key, w);
            }
        }
        if (w == null) {
            if (open.size() >= maxGroups) {
                Iterator<Window> eldest = open.values().iterator();
                close(eldest.next());
                eldest.remove();
                closedEarly++;
            }
            open.put(key, new Window(a, a.epochNanos(), a.epochNanos() + windowNanos));
            downstream.accept(a);
            return;
        }
        w.repeats++;
        w.lastRepeat = a.event();
        suppressed++;
    }

    /** Ends the windows that closed by {@code nowNanos} (epoch ns), emitting their summaries. */
    public void tick(long nowNanos) {
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Window w = e.getValue();
            while (w != null && w.endNanos <= nowNanos) {
                w = roll(w);
            }
            if (w == null) {
                it.remove();
            } else {
                e.setValue(w);
            }
        }
    }

    /** Ends every window now (shutdown, end of a replay). */
    public void flush() {
        open.values().forEach(this::close);
        open.clear();
    }

    public int openWindows() {
        return open.size();
    }

    /** Occurrences held back so far (each is counted in a summary, sent or to come). */
    public long suppressed() {
        return suppressed;
    }

    /** Groups summarised before their window ended because {@code maxGroups} were open. */
    public long closedEarly() {
        return closedEarly;
    }

    /** Closes a window: its summary, and the next window of a group that repeated (null when it did not). */
    private Window roll(Window w) {
        close(w);
        return w.repeats > 0 ? new Window(w.first, w.endNanos, w.endNanos + windowNanos) : null;
    }

    private void close(Window w) {
        if (w.repeats > 0) {
            downstream.accept(w.first.summarize(w.repeats, w.startNanos, w.lastRepeat));
        }
    }
}
