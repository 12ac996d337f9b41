package io.eunomia.engine.output;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded queue that one thread of its own drains into a {@link Destination}, in batches, so a
 * slow or absent destination never stalls the producer: {@link #offer} never blocks. A batch that
 * fails with an {@link IOException} is tried again after an exponential backoff; what cannot be
 * delivered (queue full, attempts spent, refused, still queued at {@link #close}) is counted as
 * lost. Every output that does I/O (stdout, the alert file, each Alertmanager) is one of these.
 *
 * @param <T> what is delivered
 */
public final class DeliveryQueue<T> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeliveryQueue.class.getName());
    /**
     * How long the thread waits for an item before it looks at {@link #open} again; {@link #close}
     * ends the wait at once. Long: a wake-up costs idle CPU (bench/README.md, the monitor's own cost).
     */
    private static final long POLL_MILLIS = 10_000;
    /** Queued by {@link #close} to end the thread's wait; never delivered. */
    private static final Object WAKE_UP = new Object();

    /** Where items go; called on the queue's thread only. */
    public interface Destination<T> {
        /**
         * Delivers a batch (1 to maxBatch items, in offer order). An {@link IOException} has the
         * whole batch tried again, a {@link Refused} has it given up at once.
         */
        void deliver(List<T> batch) throws IOException;

        /** The queue has run empty: make what was delivered visible (flush). */
        default void idle() throws IOException {}
    }

    /** The destination took the batch and rejected its content: trying the same again cannot help. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    /**
     * @param capacity     items the queue holds before offers are refused
     * @param maxBatch     most items per delivery (1: item by item)
     * @param maxAttempts  deliveries of a batch before it is given up
     * @param firstBackoff wait after the first failed attempt; doubles up to maxBackoff
     * @param closeTimeout how long {@link #close} waits for what is queued to be delivered
     */
    public record Settings(int capacity, int maxBatch, int maxAttempts, Duration firstBackoff, Duration maxBackoff,
                           Duration closeTimeout) {
        public Settings {
            if (capacity < 1 || maxBatch < 1 || maxAttempts < 1) {
                throw new IllegalArgumentException("capacity, maxBatch and maxAttempts must be at least 1: " + capacity
                        + ", " + maxBatch + ", " + maxAttempts);
            }
        }

        /** The wait before attempt number {@code failed + 1}. */
        Duration backoff(int failed) {
            Duration d = firstBackoff;
            for (int i = 1; i < failed && d.compareTo(maxBackoff) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
        }
    }

    /**
     * What happened to the items offered.
     *
     * @param delivered      items the destination took
     * @param rejected       offers refused: the queue was full or closed
     * @param givenUp        items whose batch failed every attempt, was refused, or was still queued at close
     * @param failedAttempts deliveries that failed (each retry counts)
     */
    public record Stats(long delivered, long rejected, long givenUp, long failedAttempts) {
        /** Items offered and never delivered. */
        public long lost() {
            return rejected + givenUp;
        }
    }

    private final String name;
    private final Destination<T> destination;
    private final Settings settings;
    private final ArrayBlockingQueue<Object> queue;   // items (T) and WAKE_UP
    private final Thread thread;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder givenUp = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();
    private volatile boolean open = true;

    /** Starts the queue's thread, named {@code eunomia-<name>}. */
    public DeliveryQueue(String name, Destination<T> destination, Settings settings) {
        this.name = name;
        this.destination = destination;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.capacity());
        this.thread = Thread.ofPlatform().name("eunomia-" + name).daemon().start(this::run);
    }

    /** Queues an item; false (and counted) when the queue is full or closed. Never blocks. */
    public boolean offer(T item) {
        if (open && queue.offer(item)) {
            return true;
        }
        rejected.increment();
        return false;
    }

    public String name() {
        return name;
    }

    public Stats stats() {
        return new Stats(delivered.sum(), rejected.sum(), givenUp.sum(), failedAttempts.sum());
    }

    /** Items waiting. */
    public int queued() {
        return queue.size();
    }

    /**
     * Refuses further offers, delivers what is queued within the close timeout, then stops;
     * what is left (the destination is down) is counted as given up.
     */
    @Override
    public void close() {
        open = false;
        queue.offer(WAKE_UP);   // a full queue: the thread is not waiting
        try {
            thread.join(settings.closeTimeout().toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.remove(WAKE_UP);
        int left = queue.size();
        if (left > 0) {
            givenUp.add(left);
            queue.clear();
            LOG.log(Level.WARNING, "{0}: {1} items not delivered at shutdown", name, left);
        }
    }

    @SuppressWarnings("unchecked")   // the queue holds Ts and WAKE_UP only
    private void run() {
        List<T> batch = new ArrayList<>(settings.maxBatch());
        List<Object> taken = new ArrayList<>(settings.maxBatch());
        try {
            while (open || !queue.isEmpty()) {
                Object first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
                queue.drainTo(taken, settings.maxBatch() - 1);
                for (Object o : taken) {
                    if (o != WAKE_UP) {
                        batch.add((T) o);
                    }
                }
                taken.clear();
                if (batch.isEmpty()) {
                    continue;
                }
                deliver(batch);
                batch.clear();
                if (queue.isEmpty()) {
                    idle();
                }
            }
        } catch (InterruptedException e) {
            givenUp.add(batch.size()); // interrupted by close() while a batch was being retried
        }
    }

    private void deliver(List<T> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                destination.deliver(batch);
                delivered.add(batch.size());
                return;
            } catch (Refused e) {
                failedAttempts.increment();
                giveUp(batch, "refused: " + e.getMessage());
                return;
            } catch (IOException | RuntimeException e) {
                failedAttempts.increment();
                if (attempt >= settings.maxAttempts()) {
                    giveUp(batch, attempt + " attempts failed, the last with " + e);
                    return;
                }
            }
            Thread.sleep(settings.backoff(attempt).toMillis());
        }
    }

    private void giveUp(List<T> batch, String why) {
        givenUp.add(batch.size());
        LOG.log(Level.WARNING, "{0}: {1} items lost ({2}); counted in eunomia_dropped_events_total'{'stage=\"output\"'}'",
                name, batch.size(), why);
    }

    private void idle() {
        try {
            destination.idle();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: flush failed: {1}", name, e.toString());
        }
    }
}
