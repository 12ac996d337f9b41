package io.eunomia.bpf.paths;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Directories a task's path calls went through lately, with where they lead: a burst of calls in
 * one directory (`rm -r`, `tar x`, a build) walks it once. An entry serves for
 * {@link #VALID_NANOS} at most, and all are forgotten when a call seen could change what a
 * directory name leads to (symlink, rename, mkdir, mount, umount): a change no sensor sees
 * (rmdir, another host's NFS client) is missed for that long at most. One thread.
 */
final class RecentDirectories {
    static final long VALID_NANOS = 100_000_000L;
    static final int MAX_ENTRIES = 1024;

    private record Key(long mntns, long mntnsId, int pid, String dir) {}

    private record Seen(String resolved, long at) {}

    private final Map<Key, Seen> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Seen> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private long hits;

    /** Where dir led for this task (by pid and namespace) within the last {@link #VALID_NANOS}; null if not known. */
    String get(long mntns, long mntnsId, int pid, String dir, long now) {
        Seen e = entries.get(new Key(mntns, mntnsId, pid, dir));
        if (e == null || now - e.at() >= VALID_NANOS) {
            return null;
        }
        hits++;
        return e.resolved();
    }

    void put(long mntns, long mntnsId, int pid, String dir, String resolved, long now) {
        entries.put(new Key(mntns, mntnsId, pid, dir), new Seen(resolved, now));
    }

    void clear() {
        entries.clear();
    }

    long hits() {
        return hits;
    }
}
