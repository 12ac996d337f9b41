package io.eunomia.bpf.paths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The mount table of each mount namespace seen in path calls, read from the mountinfo of a task in
 * it and kept until a call that changes mounts is seen anywhere (it may propagate to other
 * namespaces: mount, umount2, the new mount API's move_mount, fsmount, open_tree clones,
 * mount_setattr, pivot_root) or {@link #MAX_AGE_NANOS} passed (mounts made where no sensor looks:
 * a call under way when the sensor attached, an event lost). Path calls and the process table
 * (the root overlay of a container's execs) share one: one read per namespace and change, not one
 * per call or exec. One thread (the sensor poller).
 */
public final class MountTables {
    public static final long MAX_AGE_NANOS = 1_000_000_000L;
    /** Namespaces kept at most; past it the least recently used is forgotten. */
    static final int MAX_NAMESPACES = 256;

    private record Key(long mntns, long mntnsId) {}

    private record Cached(MountTable table, long readAt, boolean stale) {}

    private final LongSupplier clock;
    private final Map<Key, Cached> byNamespace = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
            return size() > MAX_NAMESPACES;
        }
    };
    private long reads;
    private long readFailures;

    public MountTables(LongSupplier clock) {
        this.clock = clock;
    }

    /** The namespace's table, read through task (a /proc/PID of a process in it) when not known or stale; null when unreadable. */
    public MountTable of(long mntns, long mntnsId, Path task) {
        return of(mntns, mntnsId, task, t -> true);
    }

    /** As above, a kept table that servable rejects read again as if stale (the caller's answer may have moved since). */
    public MountTable of(long mntns, long mntnsId, Path task, Predicate<MountTable> servable) {
        Key key = new Key(mntns, mntnsId);
        Cached c = byNamespace.get(key);
        long now = clock.getAsLong();
        if (c != null && !c.stale() && now - c.readAt() < MAX_AGE_NANOS && servable.test(c.table())) {
            return c.table();
        }
        if (task == null) {
            return c == null ? null : c.table();  // the best there is: a stale table beats none
        }
        try {
            reads++;
            // Bytes that are not UTF-8 in a mount point (any task that may mount can make one) must not
            // make the whole table unreadable: that would also hide which mounts are unsafe to walk.
            MountTable t = MountTable.parse(new String(Files.readAllBytes(task.resolve("mountinfo")), StandardCharsets.UTF_8));
            byNamespace.put(key, new Cached(t, now, false));
            return t;
        } catch (IOException | RuntimeException e) {
            readFailures++;
            return c == null ? null : c.table();
        }
    }

    /** A call that changes mounts succeeded somewhere: every table is read again at its next use. */
    public void mountsChanged() {
        byNamespace.replaceAll((k, c) -> new Cached(c.table(), c.readAt(), true));
    }

    public long reads() {
        return reads;
    }

    /** Reads that failed (the task gone: its namespace's kept table, if any, was served instead). */
    public long readFailures() {
        return readFailures;
    }
}
