package io.eunomia.bpf;

import io.eunomia.event.Event;
import io.eunomia.event.EventStream;
import io.eunomia.testkit.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Test helper: records what a stream delivers from its creation on, and waits for a matching
 * event. Create it right before the act under test; a test with several acts takes a
 * {@link #mark()} before each and waits for what came after it.
 */
final class EventCollector implements AutoCloseable {
    private final Recorder<Event> events = new Recorder<>();
    private final Recorder.Mark created = events.mark();
    private final EventStream.Subscription subscription;
    private final EventStream stream;
    /** The kernel's losses when the collector began: a record the act made may be among those since. */
    private final java.util.Map<String, Long> lostBefore;

    EventCollector(EventStream stream, Predicate<? super Event> filter) {
        this.stream = stream;
        this.lostBefore = stream.stats().lost();
        subscription = stream.subscribe(filter, events);
    }

    /** Now: what arrives from here on is after it. */
    Recorder.Mark mark() {
        return events.mark();
    }

    /** The first matching event since the collector was created; fails with what came if none does in time. */
    <E extends Event> E await(Class<E> type, Predicate<? super E> match, Duration timeout) throws InterruptedException {
        return await(created, type, match, timeout);
    }

    /** The first matching event after the mark; fails with what came after it if none does in time. */
    <E extends Event> E await(Recorder.Mark after, Class<E> type, Predicate<? super E> match, Duration timeout)
            throws InterruptedException {
        try {
            return type.cast(events.expectAfter(after, e -> type.isInstance(e) && match.test(type.cast(e)), timeout,
                    "matching " + type.getSimpleName()));
        } catch (AssertionError missing) {
            throw new AssertionError(missing.getMessage() + "\n(records the kernel could not deliver since the collector "
                    + "began, by sensor: " + lostSince() + ")", missing);
        }
    }

    private java.util.Map<String, Long> lostSince() {
        java.util.Map<String, Long> d = new java.util.TreeMap<>();
        stream.stats().lost().forEach((sensor, n) -> d.put(sensor, n - lostBefore.getOrDefault(sensor, 0L)));
        return d;
    }

    /** Everything delivered since the collector was created. */
    List<Event> drain() {
        return events.since(created);
    }

    /** Everything delivered after the mark. */
    List<Event> since(Recorder.Mark mark) {
        return events.since(mark);
    }

    @Override
    public void close() {
        subscription.close();
    }
}
