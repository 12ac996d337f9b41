package io.eunomia.engine.internal;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives the garbage of an event burst back to the system. Serial GC shrinks the old generation only at a
 * full collection (MaxHeapFreeRatio in EUNOMIA_JVM_FLAGS), and grows it for a promotion rather than collect it
 * (a full collection comes only when it cannot grow). The rule session lets every event go at the fire that saw
 * it, but whatever a young collection finds in flight (the batch being fired, the queue behind it) and its
 * survivor spaces cannot hold is promoted and dies there: after a burst (a 10-minute soak saw another tool's 110k
 * setuid calls) the old generation stayed at the burst's size while little else was promoted, 120 MiB committed
 * for 20 MiB live, RSS 291 MiB until a collection came (bench/README.md, issue 15). EUNOMIA_JVM_FLAGS' survivor
 * sizing keeps most of that young; this is the backstop for what still gets through. Every 10 s this looks
 * at the old generation and runs a full collection when it commits more than the last full collection left live
 * by at least {@link #SLACK_BYTES} and by at least that live data (so a collection's work is paid for by as much
 * garbage: a session that really holds 150 MiB is collected again only past 300 MiB), and no full collection ran
 * for {@link #QUIET_NANOS}. Looking once a minute with 5 quiet minutes let another tool's flood of file events
 * grow the old generation to 196-271 MiB (RSS 350-415 MiB) before anything collected it
 * (bench/README.md, RSS margin).
 */
public final class HeapGiveBack implements AutoCloseable, MeterBinder {
    static final long SLACK_BYTES = 16L << 20;
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long CHECK_MILLIS = 10_000;

    /** The old generation at one look: committed bytes, bytes live after the last full collection, full collections so far. */
    record OldGeneration(long committed, long liveAfterLastFull, long fullCollections) {}

    /** Whether a collection is due, from one look to the next (one thread looks). */
    static final class Rule {
        private long collectionsSeen = -1;
        private long lastCollectionNanos;

        boolean due(OldGeneration old, long nowNanos) {
            if (old.fullCollections() != collectionsSeen) {   // a collection since the last look (or the first look)
                collectionsSeen = old.fullCollections();
                lastCollectionNanos = nowNanos;
                return false;
            }
            long garbage = old.committed() - old.liveAfterLastFull();
            return nowNanos - lastCollectionNanos >= QUIET_NANOS && garbage >= Math.max(SLACK_BYTES, old.liveAfterLastFull());
        }
    }

    private volatile Thread thread;
    /** Collections this ran, their wall time in all and the last one's: Serial stops every thread for one, so a pause. */
    private final AtomicLong collections = new AtomicLong();
    private final AtomicLong pauseNanos = new AtomicLong();
    private volatile long lastPauseNanos;

    private HeapGiveBack() {}

    /** Starts looking, when the JVM has a pool named as an old generation (Serial's "Tenured Gen", "... Old Gen"); else does nothing. */
    public static HeapGiveBack start() {
        Optional<MemoryPoolMXBean> pool = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && (p.getName().contains("Tenured") || p.getName().contains("Old Gen")))
                .findFirst();
        HeapGiveBack giveBack = new HeapGiveBack();
        if (pool.isEmpty()) {
            return giveBack;
        }
        List<GarbageCollectorMXBean> full = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(gc -> List.of(gc.getMemoryPoolNames()).contains(pool.get().getName())).toList();
        Rule rule = new Rule();
        Thread t = Thread.ofPlatform().name("eunomia-heap").daemon().start(() -> {
            try {
                while (true) {
                    Thread.sleep(CHECK_MILLIS);
                    if (rule.due(look(pool.get(), full), System.nanoTime())) {
                        giveBack.collect();
                    }
                }
            } catch (InterruptedException closed) {
                // closed
            }
        });
        giveBack.thread = t;
        return giveBack;
    }

    /** One full collection now, timed and counted: what the thread runs when one is due. */
    public void collect() {
        long started = System.nanoTime();
        System.gc();
        long took = System.nanoTime() - started;
        pauseNanos.addAndGet(took);
        lastPauseNanos = took;
        collections.incrementAndGet();   // last: a scrape never sees the count ahead of its time
    }

    /** The collections it ran and how long they stopped the monitor, read at scrape time. */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionTimer.builder("eunomia.heap.give.back.collections", this, h -> h.collections.get(),
                        h -> h.pauseNanos.get(), TimeUnit.NANOSECONDS)
                .description("Full collections the monitor ran to give an event burst's garbage back to the system "
                        + "(eunomia-heap, every 10 s at most) and their wall time: a pause, Serial stops every thread")
                .register(registry);
        Gauge.builder("eunomia.heap.give.back.last.pause", this, h -> h.lastPauseNanos / 1e9)
                .description("Wall time of the last such collection, seconds (0 before the first)")
                .baseUnit("seconds")
                .register(registry);
    }

    private static OldGeneration look(MemoryPoolMXBean pool, List<GarbageCollectorMXBean> full) {
        var afterLast = pool.getCollectionUsage();
        return new OldGeneration(pool.getUsage().getCommitted(), afterLast == null ? 0 : afterLast.getUsed(),
                full.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum());
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
