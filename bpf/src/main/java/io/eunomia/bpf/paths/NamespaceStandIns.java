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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A live process of a mount namespace, to stand in for a task that exited with its parent (a
 * `docker exec c sh -c 'cd /tmp && rm e/x'` decoded after the shell and the runtime's exec
 * process ended): its root and mount table are the namespace's (a container's init's), so the
 * caller's text is walked where the task walked it. The process found is kept per namespace and
 * looked at again at each use; when it is gone, one pass over /proc lists the processes of every
 * namespace, made at most every {@link #SCAN_INTERVAL_NANOS} (~0.5 ms for 150 processes here, ~30 ms
 * at load 20) so that a backlog of a dead namespace's calls costs one pass, not one each. A
 * namespace whose every task is gone (the container exited) has none: nothing has its mount table or
 * root any more, its calls keep their text (counted as task_gone), and no other namespace's process
 * stands in, even one of the next namespace given its number (the caller's check compares ids). A
 * task with a root of its own (a chroot inside the namespace) is stood in for only by a process with
 * that root: a look for a root reads the roots of that namespace number's processes of the pass, each
 * once per pass (the pass itself reads none: the roots of namespaces nobody asks about cost nothing),
 * and the one found is kept apart from the namespace's any-root stand-in. A root none of them has (a
 * one-shot `chroot /x cmd` gone) is noted for the pass: its later calls cost a look-up, not a loop
 * over the namespace's processes; and a pass reads at most {@link #MAX_ROOT_READS} roots (the host's
 * namespace may list thousands), the rest counted ({@link #rootsUnread}) and taken as not the root.
 *
 * <p>The pass runs on a thread of its own, never on the caller's: the poller that decodes every
 * namespace's events waits for it at most {@link #PASS_WAIT_NANOS} (per pass, not per call), then
 * goes on without it (counted: {@link #late}); the pass still ends and its result serves the calls
 * after it. One pass at a time. Thread-safe: the poller, the walk workers and the file-capability
 * looks ask (one instance: {@link TaskView}).
 */
final class NamespaceStandIns {
    static final long SCAN_INTERVAL_NANOS = 100_000_000L;
    /**
     * How long callers wait for a pass, counted from its start: well above a pass's ~30 ms at load 20
     * plus the wake-up of its thread on a loaded host (a first pass at load 14 here took over 50 ms),
     * half the poller's bound on a walk ({@link PathCallResolution#WALK_TIMEOUT_NANOS}). A pass later
     * than that costs the poller this wait once: calls after it do not wait for it.
     */
    static final long PASS_WAIT_NANOS = 250_000_000L;
    /** Processes listed per namespace number by a pass (several namespaces may have had the number). */
    static final int PER_NUMBER = 4096;
    /**
     * Of them, those a look for any root asks (by member) at most: one of a namespace whose number a
     * later one took would otherwise ask every process of that one at every call.
     */
    static final int ANY_ROOT_TRIES = 4;
    /** Namespaces whose stand-in is kept; past it the least recently used is forgotten. */
    static final int MAX_KEPT = 256;
    /**
     * Roots (an open and a statx of /proc/PID/root each) read per pass at most, by every look
     * together: bounds what the walk worker the poller waits on ({@link PathCallResolution#WALK_TIMEOUT_NANOS})
     * spends on them until the next pass.
     */
    static final int MAX_ROOT_READS = 512;

    /** Whether pid is in the namespace of number mntns and id mntnsId. */
    interface Membership {
        boolean test(int pid, long mntns, long mntnsId);
    }

    private record Key(long mntns, long mntnsId, TaskRoot root) {}

    /**
     * What a pass found (pids by namespace number) and what looks learnt of it since: the roots read
     * (by pid), how many, and the namespace-and-root keys none of its processes has. A newer pass
     * starts afresh (processes come and go, chroot).
     */
    private record Pass(Map<Long, List<Integer>> byNumber, Map<Integer, TaskRoot> roots, Set<Key> without,
                        AtomicInteger rootReads) {
        Pass(Map<Long, List<Integer>> byNumber) {
            this(byNumber, new ConcurrentHashMap<>(), ConcurrentHashMap.newKeySet(), new AtomicInteger());
        }
    }

    private final Path proc;
    private final LongSupplier clock;
    /** One thread, made when a pass is asked for and ended when idle: at most one pass runs, the next queues behind it. */
    private final ExecutorService passer = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("eunomia-stand-in-pass").daemon(true).factory());
    private final Map<Key, Integer> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Integer> eldest) {
            return size() > MAX_KEPT;
        }
    };
    /** The last pass that ended. */
    private Pass ended = new Pass(Map.of());
    /** The last pass started (under way or ended), when (clock), and until when (System.nanoTime) callers wait for it. */
    private CompletableFuture<Pass> pass;
    private long scannedAt;
    private long waitEnds;
    private long scans;
    private long late;
    private final AtomicLong rootsUnread = new AtomicLong();
    private final AtomicLong rootReads = new AtomicLong();

    NamespaceStandIns(Path proc, LongSupplier clock) {
        this.proc = proc;
        this.clock = clock;
    }

    /** A live process of the namespace (by member), whatever its root; 0 when none is known. */
    int find(long mntns, long mntnsId, Membership member) {
        return find(mntns, mntnsId, TaskRoot.UNKNOWN, member);
    }

    /**
     * A live process of the namespace (by member) whose root was root at the last pass (UNKNOWN: any
     * root), 0 when none is known. The caller checks the root of the one it opens (a process may
     * chroot after the pass) and {@link #forget}s it when it no longer has it. The /proc pass runs on
     * its own thread and the membership checks outside the lock: a walk worker whose kept stand-in is
     * alive never waits for another's pass; one that needs a pass while another is under way waits
     * for that one's result, within the pass's wait.
     */
    int find(long mntns, long mntnsId, TaskRoot root, Membership member) {
        Key key = new Key(mntns, mntnsId, root);
        Integer last;
        synchronized (this) {
            last = kept.get(key);
        }
        if (last != null && member.test(last, mntns, mntnsId)) {
            return last;
        }
        Pass of = candidates(key);
        if (of.without().contains(key)) {
            return 0;
        }
        int tries = 0;
        for (int pid : of.byNumber().getOrDefault(mntns, List.of())) {
            if (!root.known() && tries++ == ANY_ROOT_TRIES) {
                break;
            }
            if ((!root.known() || root.equals(rootOf(of, pid))) && member.test(pid, mntns, mntnsId)) {
                synchronized (this) {
                    kept.put(key, pid);
                }
                return pid;
            }
        }
        if (root.known()) {
            of.without().add(key);  // until the next pass: the same loop would find none again
        }
        return 0;
    }

    /**
     * pid's root, read once per pass and at most MAX_ROOT_READS per pass (UNKNOWN past it, counted);
     * no lock: a root's stat never waits on another's, nor a look on another's loop.
     */
    private TaskRoot rootOf(Pass of, int pid) {
        TaskRoot known = of.roots().get(pid);
        if (known != null) {
            return known;
        }
        if (of.rootReads().getAndIncrement() >= MAX_ROOT_READS) {
            rootsUnread.incrementAndGet();
            return TaskRoot.UNKNOWN;
        }
        rootReads.incrementAndGet();
        TaskRoot root = TaskRoot.of(proc.resolve(Integer.toString(pid)));
        of.roots().put(pid, root);
        return root;
    }

    /**
     * The process kept for the namespace and root no longer has that root: the next look makes a
     * pass, and reads its root again (the one of the pass is stale).
     */
    synchronized void forget(long mntns, long mntnsId, TaskRoot root) {
        Integer pid = kept.remove(new Key(mntns, mntnsId, root));
        if (pid != null) {
            ended.roots().remove(pid);  // of the pass find used; a newer pass reads its own
        }
    }

    /**
     * The last pass, after a new one when the last is old enough; the pass before when the one under
     * way is late (its candidates are checked anyway).
     */
    private Pass candidates(Key key) {
        CompletableFuture<Pass> under;
        long waitLeft;
        synchronized (this) {
            kept.remove(key);
            long now = clock.getAsLong();
            if (pass == null || pass.isDone() && now - scannedAt >= SCAN_INTERVAL_NANOS) {
                scans++;
                scannedAt = now;
                waitEnds = System.nanoTime() + PASS_WAIT_NANOS;
                pass = CompletableFuture.supplyAsync(this::scanAndKeep, passer);
            }
            under = pass;
            waitLeft = waitEnds - System.nanoTime();
        }
        try {
            return under.get(Math.max(0, waitLeft), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return lateCandidates();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return lateCandidates();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a pass over " + proc + " failed", e.getCause());
        }
    }

    private synchronized Pass lateCandidates() {
        late++;
        return ended;
    }

    private Pass scanAndKeep() {
        Pass found = new Pass(scan());
        synchronized (this) {
            ended = found;
        }
        return found;
    }

    /** Up to PER_NUMBER pids of each namespace number in /proc now. */
    private Map<Long, List<Integer>> scan() {
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
        return found;
    }

    synchronized long scans() {
        return scans;
    }

    /** Calls that needed a pass and went on without its result: it took longer than {@link #PASS_WAIT_NANOS}. */
    synchronized long late() {
        return late;
    }

    /** Roots of /proc/PID read (an open and a statx each), every pass together. */
    long rootReads() {
        return rootReads.get();
    }

    /** Roots not read because their pass had read {@link #MAX_ROOT_READS}: those processes were taken as not having the root looked for. */
    long rootsUnread() {
        return rootsUnread.get();
    }
}
