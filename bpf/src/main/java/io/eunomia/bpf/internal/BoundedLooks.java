package io.eunomia.bpf.internal;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * File system looks the event thread needs the answer of (a walk through a task's root, the stat
 * of a container's root) but must not hang on: a FUSE daemon or an NFS server that stops answering
 * stalls every lookup on its mount, in the kernel, where no Java interrupt reaches. Each look runs
 * on a worker thread while the caller waits for it at most {@code timeout}, so events stay in
 * order and the caller goes on with what it had when the look is late. A look that timed out keeps
 * its thread (stuck in the kernel) and its key (a mount namespace) stalled until it returns: the
 * key's next looks are not tried. At most {@code maxStuck} threads may be stuck at once; beyond,
 * every look is skipped until one comes back. Everything skipped is counted.
 */
public final class BoundedLooks implements AutoCloseable {
    private final long timeoutNanos;
    private final ThreadPoolExecutor workers;
    private final Set<Long> stalled = ConcurrentHashMap.newKeySet();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    public BoundedLooks(String name, long timeoutNanos, int maxStuck) {
        this.timeoutNanos = timeoutNanos;
        // One thread answers the caller (who waits for each look), the others are stuck ones.
        this.workers = new ThreadPoolExecutor(0, maxStuck + 1, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                Thread.ofPlatform().name(name, 0).daemon(true).factory());
    }

    /** look's answer, or empty when it timed out, key is stalled, or too many looks are stuck (counted). */
    public <T> Optional<T> run(long key, Supplier<T> look) {
        if (stalled.contains(key)) {
            skipped.incrementAndGet();
            return Optional.empty();
        }
        boolean[] lateAndEnded = {false, false};  // guarded by itself: the caller gave up; the look returned
        Future<T> f;
        try {
            f = workers.submit(() -> {
                try {
                    return look.get();
                } finally {
                    synchronized (lateAndEnded) {
                        lateAndEnded[1] = true;
                        if (lateAndEnded[0]) {
                            stalled.remove(key);
                        }
                    }
                }
            });
        } catch (RejectedExecutionException tooManyStuck) {
            skipped.incrementAndGet();
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(f.get(timeoutNanos, TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            synchronized (lateAndEnded) {
                if (!lateAndEnded[1]) {  // still stuck: its end frees the key
                    lateAndEnded[0] = true;
                    stalled.add(key);
                }
            }
            timeouts.incrementAndGet();
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {  // the caller stopped waiting (closing): as late as a timeout
            Thread.currentThread().interrupt();
            timeouts.incrementAndGet();
            return Optional.empty();
        }
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
        workers.shutdownNow();
    }
}
