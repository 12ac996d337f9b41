package io.eunomia.bpf;

import io.eunomia.bpf.internal.FileRecords.Unnamed;
import io.eunomia.event.FileEvent;
import io.eunomia.libbpf.BpfObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Names the opens the kernel could not (file.bpf.c, file_event.unnamed): a file of several names
 * opened while a hard link was reported that the decoding thread had not taken in yet, or in a
 * mount namespace whose own files were not in the identity watch yet (a container's first
 * moments). Its inode is looked up in watched_inodes once what it waited for is there: a watched
 * file becomes an open of its watched path by another name, as if the kernel had named it; any
 * other is delivered as it was, or dropped when the kernel's filters would have kept it.
 * The opens of a namespace being looked at, or whose first exec was not taken in yet
 * ({@link ContainerWatchedInodes#awaited}: its records come through another ring), are held until
 * the look ends, at most {@link #MAX_HELD} at once (beyond, one is judged at once with what the
 * watch holds) and {@link #MAX_HOLD_NANOS} at most: a look that does not end (a container root whose
 * stat waits on a FUSE daemon) must not keep its opens, nor the poller's short rounds, for ever.
 * Namespaces are told apart by id with number ({@link ContainerWatchedInodes#flagKey}): a freed number
 * is given to the next namespace made, whose look must not release, or hold, another's opens.
 * Runs on the decoding thread.
 */
final class UnnamedOpens {
    /** Opens held at once for namespaces being looked at. */
    static final int MAX_HELD = 4096;
    /** How long a namespace's opens wait for its look at most; then they are judged with what the watch holds. */
    static final long MAX_HOLD_NANOS = 2_000_000_000L;

    /** Whether a namespace's look is under way or yet to come. */
    interface Awaited {
        boolean test(long mntns, long mntnsId);
    }

    private final Awaited scanning;
    private final LongSupplier clock;
    private final Map<Long, Held> held = new LinkedHashMap<>();
    private int heldCount;
    // Written by the decoding thread alone, read by others (stats).
    private volatile long named;
    private volatile long dropped;
    private volatile long overflowed;

    private record Pending(FileEvent event, Unnamed inode) {}

    /** A namespace's held opens, since its first was held. */
    private record Held(long mntns, long mntnsId, long since, Deque<Pending> opens) {}

    /**
     * @param scanning whether a namespace's look is under way or yet to come ({@link ContainerWatchedInodes#awaited})
     * @param clock    nanoseconds, for {@link #MAX_HOLD_NANOS}
     */
    UnnamedOpens(Awaited scanning, LongSupplier clock) {
        this.scanning = scanning;
        this.clock = clock;
    }

    /** The event to deliver now for an unnamed open, or empty when it is held or dropped. */
    Optional<FileEvent> onOpen(BpfObject file, FileEvent e, Unnamed u) {
        long mntns = e.process().mntns();
        long mntnsId = e.process().mntnsId();
        if (u.namespaceNotScanned() && scanning.test(mntns, mntnsId)) {
            if (heldCount < MAX_HELD) {
                held.computeIfAbsent(ContainerWatchedInodes.flagKey(mntns, mntnsId),
                        k -> new Held(mntns, mntnsId, clock.getAsLong(), new ArrayDeque<>())).opens().add(new Pending(e, u));
                heldCount++;
                return Optional.empty();
            }
            overflowed++;
        }
        return name(file, e, u);
    }

    /** Delivers the opens of namespaces whose look ended, or that waited {@link #MAX_HOLD_NANOS} for it. */
    void releaseReady(BpfObject file, Consumer<FileEvent> deliver) {
        if (heldCount == 0) {
            return;
        }
        long now = clock.getAsLong();
        Iterator<Map.Entry<Long, Held>> it = held.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Held> e = it.next();
            Held h = e.getValue();
            boolean late = now - h.since() >= MAX_HOLD_NANOS;
            if (late || !scanning.test(h.mntns(), h.mntnsId())) {
                if (late) {
                    overflowed += e.getValue().opens().size();
                }
                release(file, e.getValue().opens(), deliver);
                it.remove();
            }
        }
    }

    /** Delivers every held open (the stream stops). */
    void releaseAll(BpfObject file, Consumer<FileEvent> deliver) {
        held.values().forEach(h -> release(file, h.opens(), deliver));
        held.clear();
    }

    boolean holding() {
        return heldCount > 0;
    }

    /** Opens named, dropped (nothing watched: the filters would have kept them), judged without their namespace's look. */
    record Stats(long named, long dropped, long overflowed) {}

    Stats stats() {
        return new Stats(named, dropped, overflowed);
    }

    private void release(BpfObject file, Deque<Pending> q, Consumer<FileEvent> deliver) {
        for (Pending p : q) {
            heldCount--;
            name(file, p.event(), p.inode()).ifPresent(deliver);
        }
    }

    private Optional<FileEvent> name(BpfObject file, FileEvent e, Unnamed u) {
        byte[] key = WatchedInodes.key(new WatchedInodes.File(u.dev(), u.ino(), ""));
        Optional<byte[]> w;
        try {
            w = file == null ? Optional.empty() : file.map("watched_inodes").lookup(key);
        } catch (RuntimeException detached) {
            w = Optional.empty();
        }
        if (w.isPresent()) {
            long owner = WatchedInodes.ownerOf(w.get());
            // A container's file names it for its own tasks only (by id: its number may be a dead container's).
            if (owner == 0 || owner == ContainerWatchedInodes.flagKey(e.process().mntns(), e.process().mntnsId())) {
                named++;
                String path = WatchedInodes.pathOf(w.get());
                String usedName = path.equals(e.path()) ? "" : e.path();
                return Optional.of(new FileEvent(e.epochNanos(), e.process(), e.op(), e.syscall(), path, usedName,
                        e.flags(), e.mode(), e.uid(), e.gid(), e.result(), true));
            }
        }
        if (u.filtered()) {
            dropped++;
            return Optional.empty();
        }
        return Optional.of(e);
    }
}
