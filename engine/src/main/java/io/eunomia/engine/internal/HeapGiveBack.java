package io.eunomia.engine.internal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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
public final class HeapGiveBack implements AutoCloseable {
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

    private final Thread thread;

    private HeapGiveBack(Thread thread) {
        this.thread = thread;
    }

    /** Starts looking, when the JVM has a pool named as an old generation (Serial's "Tenured Gen", "... Old Gen"); else does nothing. */
    public static HeapGiveBack start() {
        Optional<MemoryPoolMXBean> pool = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && (p.getName().contains("Tenured") || p.getName().contains("Old Gen")))
                .findFirst();
        if (pool.isEmpty()) {
            return new HeapGiveBack(null);
        }
        List<GarbageCollectorMXBean> full = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(gc -> List.of(gc.getMemoryPoolNames()).contains(pool.get().getName())).toList();
        Rule rule = new Rule();
        Thread t = Thread.ofPlatform().name("eunomia-heap").daemon().start(() -> {
            try {
                while (true) {
                    Thread.sleep(CHECK_MILLIS);
                    if (rule.due(look(pool.get(), full), System.nanoTime())) {
                        System.gc();
                    }
                }
            } catch (InterruptedException closed) {
                // closed
            }
        });
        return new HeapGiveBack(t);
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
