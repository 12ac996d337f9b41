package io.eunomia.bpf.container;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.event.Event;
import io.eunomia.event.EventStream;
import io.eunomia.testkit.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Test helper: every event a stream delivered, shared by a class's tests; each test takes a
 * {@link #mark()} before its act and looks only at what came after it.
 */
final class EventLog implements AutoCloseable {
    private final Recorder<Event> events = new Recorder<>();
    private final KernelSensors sensors;
    private final EventStream.Subscription subscription;

    EventLog(KernelSensors sensors) {
        this.sensors = sensors;
        subscription = sensors.subscribe(e -> true, events);
    }

    /** Stops recording: for sensors that outlive the class (LoadedSensors#shared). */
    @Override
    public void close() {
        subscription.close();
    }

    Recorder.Mark mark() {
        return events.mark();
    }

    /** Events after the mark, in order. */
    List<Event> since(Recorder.Mark mark) {
        return events.since(mark);
    }

    <E extends Event> E await(Recorder.Mark after, Class<E> type, Predicate<? super E> match, Duration timeout)
            throws InterruptedException {
        return type.cast(events.awaitAfter(after, e -> type.isInstance(e) && match.test(type.cast(e)), timeout)
                .orElseThrow(() -> new AssertionError("no matching " + type.getSimpleName() + " within " + timeout
                        + "; containers seen: " + sensors.containers().seen())));
    }
}
