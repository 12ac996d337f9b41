package io.eunomia.profiler.kernel;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.ContainerInfo;
import io.eunomia.profiler.RuntimeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The OCI runtime of each container, found once and kept. A runtime writes its state directory a
 * moment after the container's first events, so one not found at the first look is pending: each
 * {@link #lookAgain()} (the directory's process scan) looks for it, and those waiting for it
 * ({@link #whenFound}) are told once it is found. After {@link #PATIENCE_NANOS} it stays "unknown".
 * Thread-safe; the waiting are called outside the lock.
 */
final class ContainerRuntimes {
    /** How long a container's state directory is looked for after the first look. */
    static final long PATIENCE_NANOS = 30_000_000_000L;

    private record Pending(ContainerInfo container, long sinceNanos, List<Consumer<RuntimeInfo>> waiting) {}

    private final RuntimeDetection detection;
    private final LongSupplier nanoClock;
    private final Map<String, RuntimeInfo> known = new HashMap<>();
    private final Map<String, Pending> pending = new HashMap<>();

    ContainerRuntimes(ContainerSources sources, LongSupplier nanoClock) {
        this.detection = new RuntimeDetection(sources);
        this.nanoClock = nanoClock;
    }

    /** The container's runtime: "unknown" while its state is not found (then it is looked for again). */
    RuntimeInfo runtime(ContainerInfo c) {
        String k = key(c);
        synchronized (this) {
            RuntimeInfo r = known.get(k);
            if (r != null) {
                return r;
            }
        }
        RuntimeInfo r = detection.detect(c);
        List<Consumer<RuntimeInfo>> tell;
        synchronized (this) {
            if (isUnknown(r)) {
                pending.computeIfAbsent(k, x -> new Pending(c, nanoClock.getAsLong(), new ArrayList<>()));
                return r;
            }
            known.put(k, r);
            Pending p = pending.remove(k);
            tell = p == null ? List.of() : p.waiting();
        }
        tell.forEach(w -> w.accept(r));
        return r;
    }

    /** Calls {@code found} once with the container's runtime when it is found: now, if it is known already. */
    void whenFound(ContainerInfo c, Consumer<RuntimeInfo> found) {
        String k = key(c);
        RuntimeInfo r;
        synchronized (this) {
            r = known.get(k);
            if (r == null) {
                pending.computeIfAbsent(k, x -> new Pending(c, nanoClock.getAsLong(), new ArrayList<>())).waiting().add(found);
                return;
            }
        }
        found.accept(r);
    }

    /** Looks again for the pending containers' state; gives up on those pending too long (they stay "unknown"). */
    void lookAgain() {
        List<Pending> due;
        synchronized (this) {
            if (pending.isEmpty()) {
                return;
            }
            due = List.copyOf(pending.values());
        }
        long now = nanoClock.getAsLong();
        for (Pending p : due) {
            RuntimeInfo r = detection.detect(p.container());
            String k = key(p.container());
            List<Consumer<RuntimeInfo>> tell = List.of();
            synchronized (this) {
                if (!isUnknown(r)) {
                    known.put(k, r);
                    pending.remove(k);
                    tell = p.waiting();
                } else if (now - p.sinceNanos() >= PATIENCE_NANOS) {
                    known.put(k, r);
                    pending.remove(k);
                }
            }
            tell.forEach(w -> w.accept(r));
        }
    }

    /** Containers whose runtime is still looked for. */
    synchronized int pending() {
        return pending.size();
    }

    private static boolean isUnknown(RuntimeInfo r) {
        return r.name().equals("unknown");
    }

    private static String key(ContainerInfo c) {
        return c.id() + "\0" + c.runtime();
    }
}
