package io.eunomia.engine.control;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.AlertOutput;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last alerts raised, for the control API: a bounded ring, the oldest forgotten first. */
public final class RecentAlerts implements AlertOutput {
    public static final int DEFAULT_CAPACITY = 1000;

    private final int capacity;
    private final ArrayDeque<Alert> ring;
    private long total;

    public RecentAlerts(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be 1 or more");
        }
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
    }

    @Override
    public synchronized void emit(Alert alert) {
        if (ring.size() == capacity) {
            ring.removeFirst();
        }
        ring.addLast(alert);
        total++;
    }

    /** Up to {@code limit} of the newest alerts, oldest first. */
    public synchronized List<Alert> last(int limit) {
        List<Alert> all = new ArrayList<>(ring);
        return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
    }

    /** Alerts seen since start (kept or not). */
    public synchronized long total() {
        return total;
    }

    public int capacity() {
        return capacity;
    }
}
