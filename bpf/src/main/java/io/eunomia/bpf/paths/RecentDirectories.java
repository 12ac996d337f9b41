package io.eunomia.bpf.paths;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Directories path calls went through lately, with where they lead: a burst of calls in one
 * directory (`rm -r`, `tar x`, a build) walks it once. Kept per root when the walk was made below
 * the root the kernel read at the call (a task's own, a chroot's): what a directory name leads to
 * depends on the root and the namespace's mounts only, so the next process with that root (a
 * build's next compiler unlinking in the same directory) takes it without a walk of its own;
 * per task otherwise (a root not known, or not the one walked). An entry serves for
 * {@link #VALID_NANOS} at most, and all are forgotten when a call seen could change what a
 * directory name leads to (symlink, rename, mkdir, mount, umount): a change no sensor sees
 * (rmdir, another host's NFS client) is missed for that long at most. One thread.
 */
final class RecentDirectories {
    static final long VALID_NANOS = 100_000_000L;
    static final int MAX_ENTRIES = 1024;

    /** pid 0 with the root's mount id and inode: the root's entry; else the task's (root 0, 0). */
    private record Key(long mntns, long mntnsId, int pid, long rootMount, long rootIno, String dir) {}

    private record Seen(String resolved, long at) {}

    private final Map<Key, Seen> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Seen> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private long hits;

    /**
     * Where dir led below root (when known) or for this task (by pid and namespace) within the last
     * {@link #VALID_NANOS}; null if not known.
     */
    String get(long mntns, long mntnsId, int pid, TaskRoot root, String dir, long now) {
        Seen e = root.known() ? fresh(new Key(mntns, mntnsId, 0, root.mountId(), root.ino(), dir), now) : null;
        if (e == null) {
            e = fresh(new Key(mntns, mntnsId, pid, 0, 0, dir), now);
        }
        if (e == null) {
            return null;
        }
        hits++;
        return e.resolved();
    }

    private Seen fresh(Key k, long now) {
        Seen e = entries.get(k);
        return e == null || now - e.at() >= VALID_NANOS ? null : e;
    }

    /** Where dir led for this task; for every task with root too when the walk was made below it (walkedRoot). */
    void put(long mntns, long mntnsId, int pid, TaskRoot root, boolean walkedRoot, String dir, String resolved, long now) {
        Key k = walkedRoot && root.known() ? new Key(mntns, mntnsId, 0, root.mountId(), root.ino(), dir)
                : new Key(mntns, mntnsId, pid, 0, 0, dir);
        entries.put(k, new Seen(resolved, now));
    }

    void clear() {
        entries.clear();
    }

    long hits() {
        return hits;
    }
}
