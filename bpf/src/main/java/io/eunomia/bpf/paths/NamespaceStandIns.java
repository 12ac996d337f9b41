package io.eunomia.bpf.paths;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A live process of a mount namespace, to stand in for a task that exited with its parent (a
 * `docker exec c sh -c 'cd /tmp && rm e/x'` decoded after the shell and the runtime's exec
 * process ended): its root and mount table are the namespace's (a container's init's), so the
 * caller's text is walked where the task walked it. The process found is kept per namespace and
 * looked at again at each use; when it is gone, one pass over /proc lists a few processes of every
 * namespace, made at most every {@link #SCAN_INTERVAL_NANOS} (~0.5 ms for 150 processes here) so
 * that a backlog of a dead namespace's calls costs one pass, not one each. A namespace whose every
 * task is gone (the container exited) has none: nothing has its mount table or root any more, its
 * calls keep their text (counted as task_gone), and no other namespace's process stands in, even
 * one of the next namespace given its number (the caller's check compares ids). Thread-safe: the
 * poller and the walk workers ask.
 */
final class NamespaceStandIns {
    static final long SCAN_INTERVAL_NANOS = 100_000_000L;
    /** Processes listed per namespace number by a pass (several namespaces may have had the number). */
    static final int PER_NUMBER = 4;
    /** Namespaces whose stand-in is kept; past it the least recently used is forgotten. */
    static final int MAX_KEPT = 256;

    /** Whether pid is in the namespace of number mntns and id mntnsId. */
    interface Membership {
        boolean test(int pid, long mntns, long mntnsId);
    }

    private record Key(long mntns, long mntnsId) {}

    private final Path proc;
    private final LongSupplier clock;
    private final Map<Key, Integer> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Integer> eldest) {
            return size() > MAX_KEPT;
        }
    };
    /** The last pass: pids by namespace number, and when it was made. */
    private Map<Long, List<Integer>> byNumber = Map.of();
    private long scannedAt;
    private boolean scanned;
    private long scans;

    NamespaceStandIns(Path proc, LongSupplier clock) {
        this.proc = proc;
        this.clock = clock;
    }

    /** A live process of the namespace (by member), 0 when none is known. */
    synchronized int find(long mntns, long mntnsId, Membership member) {
        Key key = new Key(mntns, mntnsId);
        Integer last = kept.get(key);
        if (last != null && member.test(last, mntns, mntnsId)) {
            return last;
        }
        kept.remove(key);
        long now = clock.getAsLong();
        if (!scanned || now - scannedAt >= SCAN_INTERVAL_NANOS) {
            scan(now);
        }
        for (int pid : byNumber.getOrDefault(mntns, List.of())) {
            if (member.test(pid, mntns, mntnsId)) {
                kept.put(key, pid);
                    return pid;
            }
        }
        return 0;
    }

    private void scan(long now) {
        scans++;
        scanned = true;
        scannedAt = now;
        Map<Long, List<Integer>> found = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit) || name.length() > 9) {
                    continue;
                }
                int pid = Integer.parseInt(name);
                long number = TaskView.number(proc, pid);
                if (number < 0) {
                    continue;
                }
                List<Integer> pids = found.computeIfAbsent(number, n -> new ArrayList<>(1));
                if (pids.size() < PER_NUMBER) {
                    pids.add(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable /proc: no stand-in (the calls keep their text, counted as task_gone).
        }
        byNumber = found;
    }

    synchronized long scans() {
        return scans;
    }
}
