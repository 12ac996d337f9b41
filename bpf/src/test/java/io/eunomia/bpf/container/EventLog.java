package io.eunomia.bpf.container;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.event.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Test helper: every event a stream delivered, and a wait for one that matches. */
final class EventLog {
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final KernelSensors sensors;

    EventLog(KernelSensors sensors) {
        this.sensors = sensors;
        sensors.subscribe(e -> true, events::add);
    }

    List<Event> events() {
        return events;
    }

    <E extends Event> E await(Class<E> type, Predicate<? super E> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Event e : events) {
                if (type.isInstance(e) && match.test(type.cast(e))) {
                    return type.cast(e);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no matching " + type.getSimpleName() + " within " + timeout + "; containers seen: "
                + sensors.containers().seen());
    }
}
