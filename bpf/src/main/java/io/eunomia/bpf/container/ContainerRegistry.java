package io.eunomia.bpf.container;

import io.eunomia.event.ContainerInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Attribution of events to containers, cached by mount namespace id (unique while the host runs,
 * so a reused namespace number never inherits an old container's identity). Resolution happens at
 * the first event of a namespace, while its process is still alive, so short-lived containers are
 * attributed; entries outlive their containers (late events still get a name) and are evicted
 * oldest-first beyond a bound.
 *
 * <p>{@link #attribute} is called from one thread (the sensor poller); the listings may be read
 * from any thread.
 */
public final class ContainerRegistry {
    /** A namespace and what is known of it, for `eunomia containers`. */
    public record Seen(ContainerInfo container, long mntns, long mntnsId, long events, long firstSeenNanos,
                       long lastSeenNanos) {}

    /**
     * Returned while a new namespace's identity is still being settled: the runtime may not have
     * written its state or moved the process into the container's cgroup yet. Callers hold such
     * events back (see {@link #settle}) so they leave with their final identity.
     */
    public static final ContainerInfo PENDING = new ContainerInfo("", "", "", "pending", "", "");

    private static final int DEFAULT_MAX_ENTRIES = 8192;
    private static final long RETRY_NANOS = 5_000_000;
    /** After the settle window, an unidentified namespace is looked at again only on exec, and rarely. */
    private static final long LATE_RETRY_NANOS = 1_000_000_000;
    /** How long a namespace may stay unidentified before it is taken for a host one. */
    private static final long SETTLE_NANOS = 200_000_000;

    private final ContainerResolver resolver;
    private final long hostMntns;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
    private volatile long hostEvents;
    private volatile long unresolvedEvents;
    private volatile long resolutions;
    private volatile long evictions;

    private static final class Entry {
        final long mntns;
        final long mntnsId;
        final long firstSeen;
        volatile ContainerInfo info = ContainerInfo.UNRESOLVED;
        /** Labelled host only because no container was found yet: re-checked on exec. */
        volatile boolean provisional = true;
        volatile long events;
        volatile long lastSeen;
        long lastAttempt;
        int lastPid;

        Entry(long mntns, long mntnsId, long now) {
            this.mntns = mntns;
            this.mntnsId = mntnsId;
            this.firstSeen = now;
            this.lastSeen = now; // a new entry is the newest, not the first to evict
        }
    }

    public ContainerRegistry(ContainerResolver resolver, long hostMntns) {
        this(resolver, hostMntns, DEFAULT_MAX_ENTRIES, System::nanoTime);
    }

    ContainerRegistry(ContainerResolver resolver, long hostMntns, int maxEntries, LongSupplier nanoTime) {
        this.resolver = resolver;
        this.hostMntns = hostMntns;
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /**
     * A registry for this host: the host is the mount namespace of pid 1, or ours when pid 1's
     * cannot be read (some sandboxes hide it even from root).
     */
    public static ContainerRegistry forHost(ContainerSources sources) {
        return new ContainerRegistry(new ContainerResolver(sources), Namespaces.hostMountNamespace());
    }

    /**
     * The container of an event's process.
     *
     * @param exec whether the event is an exec: a container's init exec settles a namespace that
     *             looked like a host one while the runtime was still setting it up
     */
    public ContainerInfo attribute(int pid, long mntns, long mntnsId, boolean exec) {
        if (mntns == hostMntns) {
            hostEvents++;
            return ContainerInfo.HOST;
        }
        long now = nanoTime.getAsLong();
        long key = key(mntns, mntnsId);
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry(mntns, mntnsId, now);
            entries.put(key, e);
            resolve(e, pid, now);
            if (entries.size() > maxEntries) {
                evictOldest();
            }
        } else if (e.provisional && shouldRetry(e, exec, now)) {
            resolve(e, pid, now);
        }
        e.lastPid = pid;
        e.events++;
        e.lastSeen = now;
        ContainerInfo info = current(e, now);
        if (!info.isResolved()) {
            unresolvedEvents++;
        }
        return info;
    }

    /**
     * For events held back as {@link #PENDING}: tries again to identify the namespace and returns
     * its identity once known or once it has waited long enough, else PENDING.
     */
    public ContainerInfo settle(long mntns, long mntnsId) {
        Entry e = entries.get(key(mntns, mntnsId));
        if (e == null) {
            return ContainerInfo.UNRESOLVED; // evicted meanwhile
        }
        long now = nanoTime.getAsLong();
        if (e.provisional && shouldRetry(e, false, now)) {
            resolve(e, e.lastPid, now);
        }
        return current(e, now);
    }

    /** Often while a namespace is new, then only when it execs, at most once a second. */
    private static boolean shouldRetry(Entry e, boolean exec, long now) {
        if (now - e.firstSeen < SETTLE_NANOS) {
            return exec || now - e.lastAttempt > RETRY_NANOS;
        }
        return exec && now - e.lastAttempt > LATE_RETRY_NANOS;
    }

    private ContainerInfo current(Entry e, long now) {
        if (e.provisional && now - e.firstSeen < SETTLE_NANOS) {
            return PENDING;
        }
        return e.info;
    }

    private static long key(long mntns, long mntnsId) {
        return mntnsId != 0 ? mntnsId : mntns | Long.MIN_VALUE;
    }

    private void resolve(Entry e, int pid, long now) {
        e.lastAttempt = now;
        resolutions++;
        var found = resolver.resolveDetailed(pid, e.mntns);
        if (found.isPresent()) {
            // Incomplete (the runtime's records not written yet): keep it, but look again.
            e.info = found.get().info();
            e.provisional = !found.get().complete();
        } else if (resolver.inNamespace(pid, e.mntns)) {
            // Alive, yet no runtime claims it: a host process in a private mount namespace
            // (systemd PrivateTmp, unshare), or a container the runtime has not finished creating.
            e.info = ContainerInfo.HOST;
        }
        // Gone before we could look: stays unresolved, retried with the namespace's next event.
    }

    private void evictOldest() {
        List<Map.Entry<Long, Entry>> all = new ArrayList<>(entries.entrySet());
        all.sort(Comparator.comparingLong(en -> en.getValue().lastSeen));
        int drop = Math.max(1, all.size() - maxEntries + maxEntries / 10);
        for (int i = 0; i < drop && i < all.size(); i++) {
            entries.remove(all.get(i).getKey());
            evictions++;
        }
    }

    /** Namespaces seen so far, most recently active first. */
    public List<Seen> seen() {
        List<Seen> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.add(new Seen(e.info, e.mntns, e.mntnsId, e.events, e.firstSeen, e.lastSeen));
        }
        out.sort(Comparator.comparingLong(Seen::lastSeenNanos).reversed());
        return out;
    }

    /** Whether a mount namespace number is the host's. */
    public boolean isHostNamespace(long mntns) {
        return mntns == hostMntns;
    }

    public long hostEvents() {
        return hostEvents;
    }

    /** Events whose container could not be resolved (their process was gone before we looked). */
    public long unresolvedEvents() {
        return unresolvedEvents;
    }

    public long resolutions() {
        return resolutions;
    }

    public long evictions() {
        return evictions;
    }

    public ContainerResolver resolver() {
        return resolver;
    }
}
