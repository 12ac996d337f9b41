package io.eunomia.bpf.internal;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * File system looks the event thread needs the answer of (a walk through a task's root, the stat
 * of a container's root) but must not hang on: a FUSE daemon or an NFS server that stops answering
 * stalls every lookup on its mount, in the kernel, where no Java interrupt reaches. Each look runs
 * on a worker thread while the caller waits for it at most {@code timeout}, so events stay in
 * order and the caller goes on with what it had when the look is late. A look that timed out keeps
 * its thread (stuck in the kernel) and its key (a mount namespace) stalled until it returns: the
 * key's next looks are not tried. A caller's new answering thread starts only while at most
 * {@code maxStuck} threads are stuck, so one caller leaves at most {@code maxStuck + 1} stuck (the old
 * pool's {@code maxStuck + 1} threads in all), and each further concurrent caller one more at most;
 * beyond, every look is skipped until one comes back. Everything skipped is counted.
 *
 * <p>Most looks take microseconds, and a parked thread's wake-up costs more CPU than that on a
 * loaded VM (~50–130 µs; issue 15: the poller's wake-ups beyond its rounds were one per look, and
 * one more of the worker's). So the caller spins {@link #CALLER_SPIN_NANOS} for the answer before
 * it parks, and the answering thread spins {@link #WORKER_SPIN_NANOS} for the next look (a round's
 * looks come microseconds apart) before it parks: a look answered meanwhile costs neither a
 * wake-up. Each spins only while spinning pays: the caller when the last look answered within its
 * spin, the answering thread when the last look came within its spin. On a loaded VM neither does
 * (the worker waits for a CPU), and they park at once as before. The caller still parks and gives
 * up at the timeout: a hung look never holds it longer.
 * Each calling thread has its own answering thread: a caller never waits behind another's look
 * (the poller's root looks behind a reload's, each up to the timeout). {@link #close} lets waiting
 * callers go on at once.
 */
public final class BoundedLooks implements AutoCloseable {
    /** The caller's spin for an answer: a walk of a few components with the answering thread awake. */
    static final long CALLER_SPIN_NANOS = 50_000L;
    /** The answering thread's spin for the next look, once it answered one: the next of the same round. */
    static final long WORKER_SPIN_NANOS = 20_000L;
    /** An answering thread given no look this long ends (the next look starts another). */
    private static final long IDLE_NANOS = 30_000_000_000L;

    private final long timeoutNanos;
    private final int maxStuck;
    private final ThreadFactory threads;
    private final Set<Long> stalled = ConcurrentHashMap.newKeySet();
    private final AtomicInteger stuck = new AtomicInteger();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    /** Each calling thread's answering slot (gone with the thread; its worker ends idle). */
    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);
    /** Workers not ended, for close. */
    private final Set<Worker> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** One calling thread's: only that thread reads and writes it. */
    private static final class Slot {
        /** The thread that answers its next look; null before the first and after it was left stuck. */
        Worker answering;
        /** The last look answered within {@link #CALLER_SPIN_NANOS} of its hand-over: the next is spun for. */
        boolean lastAnsweredInSpin = true;
    }

    public BoundedLooks(String name, long timeoutNanos, int maxStuck) {
        this.timeoutNanos = timeoutNanos;
        this.maxStuck = maxStuck;
        this.threads = Thread.ofPlatform().name(name, 0).daemon(true).factory();
    }

    /** look's answer, or empty when it timed out, key is stalled, or too many looks are stuck (counted). */
    public <T> Optional<T> run(long key, Supplier<T> body) {
        if (closed || stalled.contains(key)) {
            skipped.incrementAndGet();
            return Optional.empty();
        }
        Slot slot = slots.get();
        Look<T> look = new Look<>(key, body);
        if (!handOver(slot, look)) {
            skipped.incrementAndGet();
            return Optional.empty();
        }
        long start = look.handedAt;
        long spin = slot.lastAnsweredInSpin ? CALLER_SPIN_NANOS : 0;
        while (!look.done && System.nanoTime() - start < spin) {
            Thread.onSpinWait();
        }
        if (!look.done) {
            look.caller = Thread.currentThread();  // read by the worker after its answer: it unparks this thread
            long left;
            // An interrupted caller or a close stops waiting: as late as a timeout.
            while (!look.done && (left = start + timeoutNanos - System.nanoTime()) > 0
                    && !Thread.currentThread().isInterrupted() && !closed) {
                LockSupport.parkNanos(this, left);
            }
        }
        if (giveUp(slot, look)) {
            slot.lastAnsweredInSpin = false;
            return Optional.empty();
        }
        slot.lastAnsweredInSpin = look.answeredAt - start < CALLER_SPIN_NANOS;
        return look.answer();
    }

    /** To the answering thread (a new one when none is, unless too many are stuck); false: not tried. */
    private boolean handOver(Slot slot, Look<?> look) {
        look.handedAt = System.nanoTime();
        Worker w = slot.answering;
        if (w != null && w.offer(look)) {
            return true;
        }
        if (stuck.get() > maxStuck) {
            return false;
        }
        slot.answering = new Worker(look);
        return true;
    }

    /**
     * When the look has not answered: marks it late (its end frees its key and its thread), stalls
     * its key, and leaves its thread to it; false when it answered in time.
     */
    private boolean giveUp(Slot slot, Look<?> look) {
        synchronized (look) {
            if (look.done) {
                return false;
            }
            look.late = true;
            stalled.add(look.key);
            stuck.incrementAndGet();
        }
        slot.answering = null;
        timeouts.incrementAndGet();
        return true;
    }

    /** Looks that took longer than the timeout, or whose caller was interrupted (the caller went on without them). */
    public long timeouts() {
        return timeouts.get();
    }

    /** Looks not tried: their key was stalled by an earlier late look, or too many threads were stuck. */
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : live) {
            w.thread.interrupt();
            Look<?> current = w.current;
            Thread caller = current == null ? null : current.caller;
            if (caller != null) {
                LockSupport.unpark(caller);  // a caller that parks later sees closed first
            }
        }
    }

    /** One look: its answer, whether it ended, whether its caller went on without it. */
    private final class Look<T> {
        final long key;
        final Supplier<T> body;
        private T value;           // written before done, read after it
        private Throwable failure; // likewise
        private long answeredAt;   // likewise
        volatile long handedAt;    // set before the hand-over
        volatile boolean done;
        boolean late;              // guarded by this, as done's write
        volatile Thread caller;    // set once the caller parks

        Look(long key, Supplier<T> body) {
            this.key = key;
            this.body = body;
        }

        /** On the worker: the answer, then the caller told; false when the caller had gone on (this thread is stuck's, it ends). */
        boolean runBody() {
            try {
                value = body.get();
            } catch (Throwable t) {
                failure = t;
            }
            answeredAt = System.nanoTime();
            synchronized (this) {
                done = true;
                if (late) {
                    stalled.remove(key);
                    stuck.decrementAndGet();
                    return false;
                }
            }
            Thread c = caller;
            if (c != null) {
                LockSupport.unpark(c);
            }
            return true;
        }

        Optional<T> answer() {
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            return Optional.ofNullable(value);
        }
    }

    /** Marks an answering thread's slot once it ended: no look is handed to it any more. */
    private final Look<Object> ended = new Look<>(0, () -> null);

    /** A thread that answers looks handed to it one at a time, until one is late, it idles or the looks close. */
    private final class Worker implements Runnable {
        private final AtomicReference<Look<?>> next;
        final Thread thread;
        /** The last look came within {@link #WORKER_SPIN_NANOS} of the one before's answer: the next is spun for. */
        private boolean lastCameInSpin = true;
        /** The look it runs, for close to wake its caller. */
        volatile Look<?> current;

        Worker(Look<?> first) {
            next = new AtomicReference<>(first);
            thread = threads.newThread(this);
            live.add(this);
            thread.start();
        }

        /** Hands look to this thread; false when it ended. */
        boolean offer(Look<?> look) {
            if (!next.compareAndSet(null, look)) {
                return false;
            }
            LockSupport.unpark(thread);  // while it spins, a permit: no system call
            return true;
        }

        @Override
        public void run() {
            try {
                Look<?> look;
                while ((look = take()) != null) {
                    current = look;
                    if (!look.runBody()) {
                        return;
                    }
                    current = null;
                }
            } finally {
                live.remove(this);
            }
        }

        /** The next look: spun for a moment, then parked for; null once idle, closed or interrupted (the slot ended). */
        private Look<?> take() {
            long start = System.nanoTime();
            Look<?> look;
            long spin = lastCameInSpin ? WORKER_SPIN_NANOS : 0;
            while ((look = next.get()) == null && System.nanoTime() - start < spin) {
                Thread.onSpinWait();
            }
            while (look == null) {
                long left = start + IDLE_NANOS - System.nanoTime();
                if (left <= 0 || closed || Thread.interrupted()) {
                    if (next.compareAndSet(null, ended)) {
                        return null;
                    }
                } else {
                    LockSupport.parkNanos(BoundedLooks.this, left);
                }
                look = next.get();
            }
            if (look == ended) {
                return null;
            }
            next.set(null);  // the caller hands the next one only after this one's answer
            lastCameInSpin = look.handedAt - start < WORKER_SPIN_NANOS;
            return look;
        }
    }
}
