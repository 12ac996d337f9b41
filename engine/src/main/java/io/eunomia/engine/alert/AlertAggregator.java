package io.eunomia.engine.alert;

import io.eunomia.event.Event;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Deduplicates identical alerts (same rule, same container, same rendered output): the first
 * goes out at once; repeats within the window are counted and reported once, as a summary, when
 * the window ends. Windows are measured in event time, so a replay aggregates as live did.
 * Not thread-safe: used by the pipeline thread only.
 */
public final class AlertAggregator implements Consumer<Alert> {
    private record Key(String rule, String container, String output) {}

    private static final class Window {
        final Alert first;
        final long endNanos;
        long repeats;
        Event lastRepeat;

        Window(Alert first, long endNanos) {
            this.first = first;
            this.endNanos = endNanos;
        }
    }

    private final long windowNanos;
    private final Consumer<Alert> downstream;
    private final Map<Key, Window> open = new LinkedHashMap<>();

    public AlertAggregator(Duration window, Consumer<Alert> downstream) {
        this.windowNanos = window.toNanos();
        this.downstream = downstream;
    }

    @Override
    public void accept(Alert a) {
        if (windowNanos <= 0) {
            downstream.accept(a);
            return;
        }
        Key key = new Key(a.rule(), a.container().id(), a.output());
        Window w = open.get(key);
        if (w != null && a.epochNanos() >= w.endNanos) {
            close(w);
            open.remove(key);
            w = null;
        }
        if (w == null) {
            open.put(key, new Window(a, a.epochNanos() + windowNanos));
            downstream.accept(a);
            return;
        }
        w.repeats++;
        w.lastRepeat = a.event();
    }

    /** Ends the windows that closed by {@code nowNanos} (epoch ns), emitting their summaries. */
    public void tick(long nowNanos) {
        for (Iterator<Window> it = open.values().iterator(); it.hasNext(); ) {
            Window w = it.next();
            if (w.endNanos <= nowNanos) {
                close(w);
                it.remove();
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

    private void close(Window w) {
        if (w.repeats > 0) {
            downstream.accept(w.first.summarize(w.repeats, w.first.epochNanos(), w.lastRepeat));
        }
    }
}
