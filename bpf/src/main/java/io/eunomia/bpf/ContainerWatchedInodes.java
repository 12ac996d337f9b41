package io.eunomia.bpf;

import io.eunomia.bpf.internal.BoundedLooks;
import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.bpf.paths.MountTable;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The identity watch of containers' own files ({@link WatchedInodes#applyContainer}): a container's
 * /etc/shadow is another inode than the host's, and a hard link to it may come with its image or
 * be made before the monitor started. Each mount namespace whose root is not the host's is looked
 * at once per root: at start for those that run already ({@link #scanRunning}), then at the first
 * exec seen in it (the runtime has changed the root by the time the container's program runs).
 * The look (up to {@link WatchedInodes#MAX_CONTAINER_FILES} stats) runs on a scanner thread of its
 * own, so the thread that decodes records never waits for it; once its files are in the kernel's
 * map the namespace is marked in mntns_scanned (file.bpf.c), and until then the kernel reports the
 * opens of its files of several names with their inode, for {@link UnnamedOpens} to name once the
 * look is done ({@link #awaited}).
 *
 * <p>A namespace is known here by its never-reused id with its number ({@link #flagKey}), never by
 * its number alone: the kernel gives a freed number to the next namespace made, so a container
 * that lives a millisecond has often passed its number on before its look ends, and the next
 * one's exec must neither stop that look nor let its held opens be judged without it.
 */
final class ContainerWatchedInodes implements AutoCloseable {
    /** Containers kept at once; the oldest looked at is dropped beyond (its files then match by name only). */
    static final int MAX_NAMESPACES = 128;
    /** Looks waiting for the scanner at once; beyond, a namespace is looked at at its next exec. */
    static final int MAX_QUEUED = 64;
    static final int MAX_TRIED = 4096;

    /** A namespace looked at (or being looked at): its root as the host sees it, and the keys written for it. */
    private static final class Scan {
        final long rootDev;
        final long rootIno;
        final int pid;
        final long flagKey;
        final Set<ByteBuffer> keys = ConcurrentHashMap.newKeySet();
        volatile boolean done;

        Scan(long rootDev, long rootIno, int pid, long flagKey) {
            this.rootDev = rootDev;
            this.rootIno = rootIno;
            this.pid = pid;
            this.flagKey = flagKey;
        }
    }

    private final long hostMntns;
    /** By {@link #flagKey}, oldest first. */
    private final Map<Long, Scan> scans = new LinkedHashMap<>();
    /**
     * Namespaces (by {@link #flagKey}) an exec of which was taken in (looked at or not), the last
     * MAX_TRIED: their opens wait for nothing more.
     */
    private final Map<Long, Boolean> tried = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > MAX_TRIED;
        }
    };
    /**
     * The root the kernel reported at an exec (ProcessRecords.Root) of each namespace whose look is
     * settled (host's root, or a scan of this root queued or done), by flagKey: a later exec with the
     * same root needs no look (a stat through /proc/PID/root on another thread, and the poller's wait
     * for it: most of a short container process's cost here). Dropped with the scan it stands for.
     */
    private final Map<Long, ProcessRecords.Root> settledRoots = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ProcessRecords.Root> eldest) {
            return size() > MAX_TRIED;
        }
    };
    private final AtomicLong rootsLookedAt = new AtomicLong();
    private final long[] hostRoot;
    private final ThreadPoolExecutor scanner = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_QUEUED), Thread.ofPlatform().name("eunomia-container-files").daemon(true).factory());
    private final AtomicLong refused = new AtomicLong();
    /** The first stat of a container's root, off the decoding thread and bounded (500 ms, 2 stuck at most). */
    private final BoundedLooks rootLooks = new BoundedLooks("eunomia-container-root-", 500_000_000L, 2);
    private final AtomicLong scanNanos = new AtomicLong();
    private final AtomicLong scansDone = new AtomicLong();
    /** Paths of containers' files not looked at: on a mount where a lookup could wait for ever. */
    private final AtomicLong unsafeSkipped = new AtomicLong();
    /** Scans dropped (trimmed, or their root changed and the new look was refused): the scanner forgets their keys. */
    private final Queue<Scan> retired = new ConcurrentLinkedQueue<>();
    /** Bumped by {@link #clear}: a look begun before writes nothing that stays. */
    private long generation;

    ContainerWatchedInodes(long hostMntns) {
        this.hostMntns = hostMntns;
        this.hostRoot = rootOf(Path.of("/")).orElse(new long[] {-1, -1});
    }

    /**
     * Looks at the namespace of pid, found running mntns (id mntnsId: the kernel's key), unless it
     * is the host's, has the host's root or was seen with this root. Returns at once: the look runs
     * on the scanner thread.
     */
    void onProcess(BpfObject file, long mntns, long mntnsId, int pid, List<String> prefixes) {
        onProcess(file, mntns, mntnsId, pid, prefixes, Optional.empty());
    }

    /**
     * As above; kernelRoot: the root the kernel saw at the exec, looked at where the host mounts it
     * ({@link ContainerRootOnHost}): it outlives the process, which may be gone already or end
     * during the look (a container whose only process lives a millisecond).
     */
    void onProcess(BpfObject file, long mntns, long mntnsId, int pid, List<String> prefixes,
                   Optional<ProcessRecords.Root> kernelRoot) {
        if (mntns == hostMntns || mntns == 0) {
            return;
        }
        long flagKey = flagKey(mntns, mntnsId);
        synchronized (this) {
            tried.put(flagKey, Boolean.TRUE);
            if (kernelRoot.isPresent() && kernelRoot.get().equals(settledRoots.get(flagKey))) {
                return;  // this root was looked at already (or is the host's)
            }
        }
        rootsLookedAt.incrementAndGet();
        Path proc = Path.of("/proc", Integer.toString(pid), "root");
        // The stat reaches the container's root file system (a stalled FUSE daemon would hold this thread).
        Optional<long[]> r = rootLooks.run(flagKey, () -> rootOf(proc)).orElse(Optional.empty());
        Path root = proc;
        if (r.isEmpty() && kernelRoot.isPresent()) {  // gone: its root where the host reaches it, if it does
            Optional<Path> onHost = rootLooks.run(flagKey, () -> ContainerRootOnHost.find(kernelRoot.get(),
                    Path.of("/proc/self/mountinfo"))).orElse(Optional.empty());
            if (onHost.isPresent()) {
                root = onHost.get();
                r = rootOf(root);
            }
        }
        if (r.isEmpty()) {
            return;  // gone, or its root did not answer in time (counted): its next exec tries again
        }
        onRoot(file, mntns, mntnsId, pid, prefixes, root, r, kernelRoot);
    }

    private synchronized void onRoot(BpfObject file, long mntns, long mntnsId, int pid, List<String> prefixes, Path root,
                                     Optional<long[]> r, Optional<ProcessRecords.Root> kernelRoot) {
        long flagKey = flagKey(mntns, mntnsId);
        // Remembered only when the stat saw the kernel's root (its inode): a process that changed its
        // root between its exec and this look must not make the old root stand for the new one.
        Optional<ProcessRecords.Root> settled = kernelRoot.filter(k -> k.ino() == r.get()[1]);
        if (r.get()[0] == hostRoot[0] && r.get()[1] == hostRoot[1]) {
            setScanned(file, flagKey, true);  // a host process in a private namespace (unshare -m): the host's files are its own
            settled.ifPresent(k -> settledRoots.put(flagKey, k));
            return;
        }
        Scan old = scans.get(flagKey);
        if (old != null && old.rootDev == r.get()[0] && old.rootIno == r.get()[1]) {
            settled.ifPresent(k -> settledRoots.put(flagKey, k));
            return;
        }
        settledRoots.remove(flagKey);
        if (old != null) {  // its root changed (chroot, pivot_root after the first exec)
            scans.remove(flagKey);
            setScanned(file, flagKey, false);
        }
        Scan s = new Scan(r.get()[0], r.get()[1], pid, flagKey);
        long gen = generation;
        try {
            scanner.execute(() -> look(file, s, old, onHostOr(kernelRoot, root), prefixes, gen));
        } catch (RejectedExecutionException full) {
            refused.incrementAndGet();  // container churn beyond the queue: its next exec tries again
            if (old != null) {
                retire(file, old);
            }
            return;
        }
        scans.put(flagKey, s);
        settled.ifPresent(k -> settledRoots.put(flagKey, k));
        trim(file);
    }

    /** Looks at root (a directory of this host) as mntns's (tests: a container's root without a container). */
    void lookAt(BpfObject file, long mntns, long mntnsId, Path root, List<String> prefixes) {
        onRoot(file, mntns, mntnsId, (int) ProcessHandle.current().pid(), prefixes, root, rootOf(root), Optional.empty());
    }

    /**
     * On the scanner thread: the root where the host mounts it when the kernel told it (it outlives
     * the process, which may end while its files are looked at), else procRoot.
     */
    private static Path onHostOr(Optional<ProcessRecords.Root> kernelRoot, Path procRoot) {
        return kernelRoot.flatMap(k -> ContainerRootOnHost.find(k, Path.of("/proc/self/mountinfo"))).orElse(procRoot);
    }

    /** On the scanner thread: forget what the namespace's last root wrote, write this root's files, mark it. */
    private void look(BpfObject file, Scan s, Scan old, Path root, List<String> prefixes, long gen) {
        long t0 = System.nanoTime();
        try {
            forgetRetired(file);
            if (old != null) {
                forgetUnshared(file, old.keys, s.flagKey);
            }
            Set<ByteBuffer> written = WatchedInodes.applyContainer(file, root, s.flagKey, prefixes, unsafeBelow(root, s.pid));
            synchronized (this) {
                if (gen != generation || scans.get(s.flagKey) != s) {  // cleared or dropped meanwhile
                    forgetUnshared(file, written, s.flagKey);
                    return;
                }
                s.keys.addAll(written);
                setScanned(file, s.flagKey, true);
            }
        } catch (RuntimeException e) {  // the file sensor detached meanwhile: nothing to watch any more
            System.getLogger(ContainerWatchedInodes.class.getName()).log(System.Logger.Level.DEBUG,
                    "container files not looked at: " + e);
        } finally {
            s.done = true;
            scanNanos.addAndGet(System.nanoTime() - t0);
            scansDone.incrementAndGet();
        }
    }

    /**
     * The paths (as the container sees them) on a mount a lookup could wait on for ever (FUSE,
     * network file systems; procfs: {@link MountTable#unsafeToWalk}), each one asked about counted
     * as skipped: from the container's own mount table when root is /proc/PID/root, else from the
     * host's below the directory where the host reaches its root.
     */
    private Predicate<String> unsafeBelow(Path root, int pid) {
        boolean throughProc = root.equals(Path.of("/proc", Integer.toString(pid), "root"));
        MountTable mounts = MountTable.parse(readOrEmpty(throughProc ? Path.of("/proc", Integer.toString(pid), "mountinfo")
                : Path.of("/proc/self/mountinfo")));
        String prefix = throughProc || root.toString().equals("/") ? "" : root.toString();
        return path -> {
            boolean unsafe = mounts.unsafeToWalk(prefix + path);
            if (unsafe) {
                unsafeSkipped.incrementAndGet();
            }
            return unsafe;
        };
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException gone) {
            return "";  // its process ended: the look through /proc/PID/root finds nothing either
        }
    }

    /**
     * Whether mntns's opens of files of several names should wait for its look: it is being looked
     * at, or no exec of it was taken in yet (the file sensor's records come through a ring of their
     * own, so a container's first open may be decoded before the exec that starts its look).
     */
    synchronized boolean awaited(long mntns, long mntnsId) {
        long flagKey = flagKey(mntns, mntnsId);
        Scan s = scans.get(flagKey);
        return s != null ? !s.done : mntns != hostMntns && !tried.containsKey(flagKey);
    }

    /** Whether any namespace is being looked at. */
    synchronized boolean scanningAny() {
        return scans.values().stream().anyMatch(s -> !s.done);
    }

    /**
     * A hard link made (or a rename) in a container to path (as it sees it): its target has another
     * name now. False when mntns is no container looked at (the host's files are the caller's).
     */
    synchronized boolean linked(BpfObject file, long mntns, long mntnsId, int pid, String path) {
        Scan s = scans.get(flagKey(mntns, mntnsId));
        if (s == null) {
            return false;
        }
        // ln has usually ended by now: then the root of the process the container was looked at through.
        Optional<ByteBuffer> k = WatchedInodes.addOne(file, Path.of("/proc", Integer.toString(pid), "root"), path, s.flagKey);
        if (k.isEmpty() && pid != s.pid) {
            k = WatchedInodes.addOne(file, Path.of("/proc", Integer.toString(s.pid), "root"), path, s.flagKey);
        }
        k.ifPresent(s.keys::add);
        return true;
    }

    /** The containers running now: one process of each mount namespace. */
    synchronized void scanRunning(BpfObject file, List<String> prefixes) {
        Set<Long> seen = new HashSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path p : procs) {
                try {
                    String ns = Files.readSymbolicLink(p.resolve("ns/mnt")).toString();  // mnt:[4026531841]
                    long mntns = Long.parseLong(ns.substring(ns.indexOf('[') + 1, ns.length() - 1));
                    int pid = Integer.parseInt(p.getFileName().toString());
                    if (seen.add(mntns)) {
                        onProcess(file, mntns, Libc.mountNamespaceId(pid).orElse(0), pid, prefixes);
                    }
                } catch (IOException | RuntimeException gone) {
                    // The process ended meanwhile, or is a kernel thread without a namespace link.
                }
            }
        } catch (IOException e) {
            // No /proc: no container can be found either.
        }
    }

    /** Forgets every container (the prefixes changed: each is looked at again at its next exec). */
    synchronized void clear(BpfObject file) {
        generation++;
        scans.forEach((key, s) -> {
            setScanned(file, s.flagKey, false);
            WatchedInodes.forget(file, s.keys, s.flagKey);
        });
        scans.clear();
        settledRoots.clear();
    }

    /** Roots stat'ed by {@link #onProcess} (an exec whose kernel-reported root was settled takes none). */
    long rootsLookedAt() {
        return rootsLookedAt.get();
    }

    /** The namespaces looked at or being looked at, by {@link #flagKey} (tests). */
    synchronized Set<Long> namespaces() {
        return Set.copyOf(scans.keySet());
    }

    /** Looks done, their total time on the scanner thread, and looks refused because the queue was full. */
    record Stats(long scans, long scanNanos, long refused, long rootTimeouts) {}

    /**
     * rootTimeouts: roots whose first stat took longer than allowed or was not tried while one was
     * stuck, and paths below roots not looked at because a lookup there could wait for ever.
     */
    Stats stats() {
        return new Stats(scansDone.get(), scanNanos.get(), refused.get(),
                rootLooks.timeouts() + rootLooks.skipped() + unsafeSkipped.get());
    }

    @Override
    public void close() {
        rootLooks.close();
        scanner.shutdownNow();
        try {
            if (!scanner.awaitTermination(10, TimeUnit.SECONDS)) {
                System.getLogger(ContainerWatchedInodes.class.getName()).log(System.Logger.Level.WARNING,
                        "a container's look did not end within 10 s of closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void trim(BpfObject file) {
        Iterator<Map.Entry<Long, Scan>> it = scans.entrySet().iterator();
        while (scans.size() > MAX_NAMESPACES && it.hasNext()) {
            Scan s = it.next().getValue();
            setScanned(file, s.flagKey, false);
            settledRoots.remove(s.flagKey);
            it.remove();
            // A look still running forgets what it wrote itself once it sees it was dropped.
            retire(file, s);
        }
    }

    /**
     * Has the scanner forget s's keys: after the looks queued before, so a live scan of the same
     * number has its keys recorded (or writes them after) when they are left out. When the queue is
     * full, the next look forgets them first.
     */
    private void retire(BpfObject file, Scan s) {
        retired.add(s);
        try {
            scanner.execute(() -> forgetRetired(file));
        } catch (RejectedExecutionException full) {
            // The queue holds looks: the first of them forgets it.
        }
    }

    /** On the scanner thread: forgets the keys of the scans retired. */
    private synchronized void forgetRetired(BpfObject file) {
        for (Scan s = retired.poll(); s != null; s = retired.poll()) {
            forgetUnshared(file, s.keys, s.flagKey);
        }
    }

    /**
     * Deletes keys written for the namespace of key owner that still name it, but those its live scan
     * (a later root's) holds: {@link #linked} may have added one. An entry another namespace wrote
     * over (a container of the same image that got a dead one's number has the same lower-layer
     * files, dev and ino) names that one and stays. Holds the lock over the deletes: {@link #linked}
     * adds no key meanwhile.
     */
    private synchronized void forgetUnshared(BpfObject file, Set<ByteBuffer> keys, long owner) {
        Set<ByteBuffer> unshared = new HashSet<>(keys);
        scans.values().stream().filter(live -> live.flagKey == owner).forEach(live -> unshared.removeAll(live.keys));
        WatchedInodes.forget(file, unshared, owner);
    }

    /** mntns_scanned's key: the namespace's id, or its number with the top bit on kernels without ids (file.bpf.c). */
    static long flagKey(long mntns, long mntnsId) {
        return mntnsId != 0 ? mntnsId : mntns | (1L << 63);
    }

    private static void setScanned(BpfObject file, long flagKey, boolean scanned) {
        byte[] key = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(flagKey).array();
        try {
            if (scanned) {
                file.map("mntns_scanned").update(key, new byte[] {1});
            } else {
                file.map("mntns_scanned").delete(key);
            }
        } catch (RuntimeException e) {
            // Absent already, or the sensor detached: the kernel then reports more, never less.
        }
    }

    private static Optional<long[]> rootOf(Path root) {
        try {
            return Optional.of(new long[] {((Number) Files.getAttribute(root, "unix:dev")).longValue(),
                    ((Number) Files.getAttribute(root, "unix:ino")).longValue()});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
