package io.eunomia.bpf.process;

import io.eunomia.libbpf.RootLookup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * User names as each container sees them: its own /etc/passwd, looked up inside /proc/PID/root, per
 * mount namespace, re-read when the file's modification time or size changes (checked at most
 * once a second per namespace). Bounded: the least recently used namespaces are forgotten.
 */
final class UserNames {
    private static final int MAX_NAMESPACES = 256;
    private static final long RECHECK_NANOS = 1_000_000_000L;
    /** Far above any real passwd file (a 40k-user one is ~3 MiB). */
    private static final int MAX_BYTES = 8 << 20;

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
        try {
            // Looked up inside the container's root, a regular file only, read up to a bound: its
            // /etc/passwd may be a symlink to a host file, /dev/zero or a FIFO.
            Optional<Passwd> read = RootLookup.readRegular(proc.root(pid), "/etc/passwd", f -> {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                long mtime = a.lastModifiedTime().toMillis();
                if (old != null && old.mtime() == mtime && old.size() == a.size()) {
                    return new Passwd(old.names(), mtime, a.size(), now);
                }
                return new Passwd(parse(f), mtime, a.size(), now);
            });
            // None: keep what we had. Nothing yet: a root without /etc/passwd names no one (until
            // the recheck); a process already gone says nothing of its namespace, so nothing is
            // kept and the next process of the namespace is asked (else, on a busy host, one
            // short-lived process left the whole namespace nameless for RECHECK_NANOS). The root is
            // followed: a zombie's /proc/PID/root link is still there but leads nowhere.
            if (read.isPresent() || old != null) {
                return read.orElse(old);
            }
            return Files.isDirectory(proc.root(pid)) ? new Passwd(Map.of(), 0, -1, now) : null;
        } catch (IOException | java.io.UncheckedIOException e) {
            return old == null ? new Passwd(Map.of(), 0, -1, now) : old;
        }
    }

    /** uid to name; nobody when the file is larger than any passwd file is. */
    private static Map<Integer, String> parse(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            return Map.of();
        }
        Map<Integer, String> names = new HashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(":", 4);
            if (f.length >= 3 && !f[0].isEmpty()) {
                try {
                    names.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                } catch (NumberFormatException e) {
                    // a malformed line names no one
                }
            }
        }
        return Map.copyOf(names);
    }
}
