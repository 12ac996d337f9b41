package io.eunomia.engine.pipeline;

import io.eunomia.event.Event;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-off between the sensor poller and the pipeline thread: bounded, never blocks the
 * producer (a full queue drops the event and counts it), so the kernel side is never stalled and
 * memory never grows without bound. A producer may hand over a whole batch at once ({@link #offerAll}):
 * one lock and at most one wake-up of the waiting consumer for the batch, where an offer per event
 * woke it for the first and made it race the producer for the lock on the rest.
 */
public final class EventQueue {
    private final Event[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private int head;       // next to take; guarded by lock
    private int count;      // guarded by lock
    private boolean wakeUp; // guarded by lock: ends one wait in drain

    public EventQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
        }
        this.ring = new Event[capacity];
    }

    /** Producer side: never blocks. */
    public boolean offer(Event e) {
        lock.lock();
        try {
            if (count == ring.length) {
                dropped.increment();
                return false;
            }
            put(e);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        accepted.increment();
        return true;
    }

    /**
     * Producer side, a batch: queues what fits, in order, counts the rest as dropped; never blocks.
     *
     * @return how many were queued
     */
    public int offerAll(List<? extends Event> events) {
        int n = events.size();
        if (n == 0) {
            return 0;
        }
        int taken;
        lock.lock();
        try {
            taken = Math.min(n, ring.length - count);
            for (int i = 0; i < taken; i++) {
                put(events.get(i));
            }
            if (taken > 0) {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
        accepted.add(taken);
        if (taken < n) {
            dropped.add(n - taken);
        }
        return taken;
    }

    private void put(Event e) {
        int tail = head + count;
        ring[tail >= ring.length ? tail - ring.length : tail] = e;
        count++;
    }

    /**
     * Consumer side: waits up to {@code timeoutMillis} for a first event (or a {@link #wakeUp}),
     * then takes what is queued, up to {@code max} in all.
     */
    public int drain(List<Event> into, int max, long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (count == 0 && !wakeUp && left > 0) {
                left = notEmpty.awaitNanos(left);
            }
            wakeUp = false;
            int n = Math.min(count, max);
            for (int i = 0; i < n; i++) {
                into.add(ring[head]);
                ring[head] = null;
                head = head + 1 == ring.length ? 0 : head + 1;
            }
            count -= n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the consumer's wait in {@link #drain} now (it then returns what is queued: possibly nothing). */
    public void wakeUp() {
        lock.lock();
        try {
            wakeUp = true;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    public long accepted() {
        return accepted.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    public int size() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    public int capacity() {
        return ring.length;
    }
}
