package io.eunomia.bpf;

import io.eunomia.event.Event;
import io.eunomia.event.EventStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Test helper: records what a stream delivers and waits for a matching event. */
final class EventCollector implements AutoCloseable {
    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final List<Event> seen = new ArrayList<>();
    private final EventStream.Subscription subscription;

    EventCollector(EventStream stream, Predicate<? super Event> filter) {
        subscription = stream.subscribe(filter, queue::add);
    }

    /** Waits for an event that matches; fails with what was seen if none arrives in time. */
    <E extends Event> E await(Class<E> type, Predicate<? super E> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Event e : seen) {
            if (type.isInstance(e) && match.test(type.cast(e))) {
                return type.cast(e);
            }
        }
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no matching " + type.getSimpleName() + " within " + timeout + "; saw "
                        + seen.size() + " events, last ones: " + seen.subList(Math.max(0, seen.size() - 10), seen.size()));
            }
            seen.add(e);
            if (type.isInstance(e) && match.test(type.cast(e))) {
                return type.cast(e);
            }
        }
    }

    /** Everything delivered so far (drains the queue). */
    List<Event> drain() {
        queue.drainTo(seen);
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        subscription.close();
    }
}
