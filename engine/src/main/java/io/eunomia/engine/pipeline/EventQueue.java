package io.eunomia.engine.pipeline;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.ProcessInfo;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hand-off between the sensor poller and the pipeline thread: bounded, never blocks the
 * producer (a full queue drops the event and counts it), so the kernel side is never stalled and
 * memory never grows without bound.
 */
public final class EventQueue {
    /** Queued by {@link #wakeUp} to end a consumer's wait; never handed out, never counted. */
    private static final Event WAKE_UP = new ExitEvent(0, new ProcessInfo(0, 0, 0, 0, 0, 0, 0, "", 0, 0, 0, 0,
            ContainerInfo.HOST), 0);
    private final ArrayBlockingQueue<Event> queue;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    public EventQueue(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Producer side: never blocks. */
    public boolean offer(Event e) {
        if (queue.offer(e)) {
            accepted.increment();
            return true;
        }
        dropped.increment();
        return false;
    }

    /**
     * Consumer side: waits up to {@code timeoutMillis} for a first event, then takes what is
     * queued, up to {@code max} in all.
     */
    public int drain(List<Event> into, int max, long timeoutMillis) throws InterruptedException {
        int size = into.size();
        if (queue.drainTo(into, max) == 0) {
            Event first = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (first == null) {
                return 0;
            }
            into.add(first);
            queue.drainTo(into, max - 1);
        }
        into.removeIf(e -> e == WAKE_UP);
        return into.size() - size;
    }

    /** Ends the consumer's wait in {@link #drain} now (it then returns what is queued: possibly nothing). */
    public void wakeUp() {
        queue.offer(WAKE_UP);   // a full queue: the consumer is not waiting
    }

    public long accepted() {
        return accepted.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    public int size() {
        return queue.size();
    }

    public int capacity() {
        return queue.size() + queue.remainingCapacity();
    }
}
