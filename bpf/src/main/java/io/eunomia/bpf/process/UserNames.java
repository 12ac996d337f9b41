package io.eunomia.bpf.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * User names as each container sees them: its own /etc/passwd, read through /proc/PID/root, per
 * mount namespace, re-read when the file's modification time or size changes (checked at most
 * once a second per namespace). Bounded: the least recently used namespaces are forgotten.
 */
final class UserNames {
    private static final int MAX_NAMESPACES = 256;
    private static final long RECHECK_NANOS = 1_000_000_000L;

    private record Passwd(Map<Integer, String> names, long mtime, long size, long checkedAt) {}

    private final ProcReader proc;
    private final Map<Long, Passwd> byNamespace = new LruMap<>(MAX_NAMESPACES);

    UserNames(ProcReader proc) {
        this.proc = proc;
    }

    /** The uid's name in the process's /etc/passwd, "" when it has none or it cannot be read. */
    String name(int pid, long mntns, int uid, long nowNanos) {
        Passwd p = byNamespace.get(mntns);
        if (p == null || nowNanos - p.checkedAt() > RECHECK_NANOS) {
            p = refresh(pid, p, nowNanos);
            if (p != null) {
                byNamespace.put(mntns, p);
            }
        }
        return p == null ? "" : p.names().getOrDefault(uid, "");
    }

    private Passwd refresh(int pid, Passwd old, long now) {
        Path file = proc.inRoot(pid, "/etc/passwd");
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            long mtime = a.lastModifiedTime().toMillis();
            if (old != null && old.mtime() == mtime && old.size() == a.size()) {
                return new Passwd(old.names(), mtime, a.size(), now);
            }
            Map<Integer, String> names = new HashMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", 4);
                if (f.length >= 3 && !f[0].isEmpty()) {
                    try {
                        names.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                    } catch (NumberFormatException e) {
                        // a malformed line names no one
                    }
                }
            }
            return new Passwd(Map.copyOf(names), mtime, a.size(), now);
        } catch (IOException | java.io.UncheckedIOException e) {
            // the process is gone (keep what we had) or its root has no /etc/passwd
            return old == null ? new Passwd(Map.of(), 0, -1, now) : old;
        }
    }
}
