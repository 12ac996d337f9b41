package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Keeps alerts in memory, for tests and replays (like OpenTelemetry's InMemorySpanExporter). */
public final class InMemoryOutput implements AlertOutput {
    private final List<Alert> alerts = new ArrayList<>();

    @Override
    public synchronized void emit(Alert alert) {
        alerts.add(alert);
        notifyAll();
    }

    public synchronized List<Alert> alerts() {
        return List.copyOf(alerts);
    }

    public synchronized void reset() {
        alerts.clear();
    }

    /** Waits for an alert that satisfies the predicate. */
    public synchronized Optional<Alert> await(Predicate<Alert> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Alert> hit = alerts.stream().filter(p).findFirst();
            long left = deadline - System.nanoTime();
            if (hit.isPresent() || left <= 0) {
                return hit;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
