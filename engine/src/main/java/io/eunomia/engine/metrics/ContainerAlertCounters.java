package io.eunomia.engine.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code eunomia_container_alerts_total{container}}, bounded: containers come and go, their series
 * must not pile up. A container that raised no alert for {@code idle} loses its series (Prometheus
 * keeps what it scraped; a later alert starts a new series); while {@code maxSeries} containers
 * have one, further containers are counted under {@code container="other"}.
 */
final class ContainerAlertCounters {
    static final String OTHER = "other";
    static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);
    static final int DEFAULT_MAX_SERIES = 200;

    private static final class Series {
        final Counter counter;
        long lastNanos;

        Series(Counter counter) {
            this.counter = counter;
        }
    }

    private final MeterRegistry registry;
    private final long idleNanos;
    private final int maxSeries;
    private final LongSupplier nanoClock;
    private final Map<String, Series> live = new HashMap<>();
    private long nextSweepNanos;

    /** @param nanoClock monotonic nanoseconds (System::nanoTime) */
    ContainerAlertCounters(MeterRegistry registry, Duration idle, int maxSeries, LongSupplier nanoClock) {
        this.registry = registry;
        this.idleNanos = idle.toNanos();
        this.maxSeries = maxSeries;
        this.nanoClock = nanoClock;
        this.nextSweepNanos = nanoClock.getAsLong() + idleNanos / 10;
    }

    synchronized void increment(String container, long count) {
        long now = nanoClock.getAsLong();
        if (now - nextSweepNanos >= 0) {
            sweep(now);
            nextSweepNanos = now + idleNanos / 10;
        }
        Series s = live.get(container);
        if (s == null) {
            String tag = live.size() - (live.containsKey(OTHER) ? 1 : 0) < maxSeries ? container : OTHER;
            s = live.computeIfAbsent(tag, t -> new Series(Counter.builder("eunomia.container.alerts")
                    .description("Alerts raised, by container name (host for host processes; other past "
                            + maxSeries + " containers)")
                    .tag("container", t)
                    .register(registry)));
        }
        s.lastNanos = now;
        s.counter.increment(count);
    }

    private void sweep(long now) {
        for (Iterator<Series> it = live.values().iterator(); it.hasNext(); ) {
            Series s = it.next();
            if (now - s.lastNanos >= idleNanos) {
                registry.remove(s.counter);
                it.remove();
            }
        }
    }
}
