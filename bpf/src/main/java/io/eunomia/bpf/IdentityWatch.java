package io.eunomia.bpf;

import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.libbpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keeps the file sensor's identity watch ({@link WatchedInodes}, {@link ContainerWatchedInodes})
 * current as the stream runs: the read filter's prefixes it watches, containers' files, and the
 * other inodes a rename or a hard link gives a watched name. Its refreshes run on the decoding
 * thread; the rest under KernelSensors' lock.
 */
final class IdentityWatch {
    private static final System.Logger LOG = System.getLogger(KernelSensors.class.getName());

    private final ContainerWatchedInodes containerFiles;
    /** The file sensor's object; null when it is not loaded or the stream is closed. */
    private final Supplier<BpfObject> fileSensor;
    /** Counts a reported link taken in (the decoding thread compares the count around a record). */
    private final Runnable linkTaken;
    /** The read filter's prefixes now: what the identity watch re-reads after a rename. */
    private volatile Optional<List<String>> readPrefixes;

    IdentityWatch(ContainerWatchedInodes containerFiles, Supplier<BpfObject> fileSensor, Runnable linkTaken,
                  Optional<List<String>> readPrefixes) {
        this.containerFiles = containerFiles;
        this.fileSensor = fileSensor;
        this.linkTaken = linkTaken;
        this.readPrefixes = readPrefixes;
    }

    Optional<List<String>> readPrefixes() {
        return readPrefixes;
    }

    /** The running containers' watched files looked at again (on their own thread). */
    void scanContainers(BpfObject file) {
        containerFiles.clear(file);
        containerFiles.scanRunning(file, readPrefixes.orElse(List.of()));
    }

    /** The read filter's prefixes changed: the host's files and the running containers' are watched by them from now on. */
    void watch(BpfObject file, Optional<List<String>> prefixes) {
        readPrefixes = prefixes;
        WatchedInodes.apply(file, prefixes);
        scanContainers(file);
    }

    /**
     * A rename into a watched path (passwd writes /etc/shadow+ and renames it over /etc/shadow) made
     * it another inode: the identity watch learns the new one at once, on this thread, before the
     * next record. A hard link made to a watched file adds it (a file created while the sensors run
     * has another name now). A container's files are looked at at its first exec (its root is set
     * by then); a failed exec is none.
     */
    void refresh(Event event, Optional<ProcessRecords.Root> root) {
        if (event instanceof FileEvent f && f.op() == FileOp.LINK && f.succeeded()) {
            try {
                refreshLinked(f, WatchedInodes.watchedPath(f.path(), readPrefixes));
            } finally {
                linkTaken.run();
            }
            return;
        }
        // A failed exec changed no root and carries none (each would be looked at: a compiler's
        // PATH search for `as` fails ~7 times per run); the caller's own exec was looked at already.
        boolean exec = event instanceof ExecEvent x && x.succeeded();
        boolean renamed = event instanceof FileEvent f && f.op() == FileOp.RENAME && f.succeeded()
                && WatchedInodes.watchedPath(f.newPath(), readPrefixes);
        if (!exec && !renamed) {
            return;
        }
        BpfObject file = fileSensor.get();
        if (file == null) {
            return;
        }
        ProcessInfo p = event.process();
        try {
            if (exec) {
                containerFiles.onProcess(file, p.mntns(), p.mntnsId(), p.pid(), readPrefixes.orElse(List.of()), root);
                return;
            }
            String target = ((FileEvent) event).newPath();
            if (containerFiles.linked(file, p.mntns(), p.mntnsId(), p.pid(), target)) {
                return;
            }
            WatchedInodes.replaced(file, target);
        } catch (RuntimeException e) {  // the file sensor detached meanwhile
            LOG.log(System.Logger.Level.WARNING, "identity watch not refreshed after " + event.getClass().getSimpleName()
                    + ": " + e);
        }
    }

    /** A hard link made: its target, when watched, is named by the link's path too from now on. */
    private void refreshLinked(FileEvent f, boolean watched) {
        BpfObject file = fileSensor.get();
        if (!watched || file == null) {
            return;
        }
        try {
            if (!containerFiles.linked(file, f.process().mntns(), f.process().mntnsId(), f.process().pid(), f.path())) {
                WatchedInodes.replaced(file, f.path());
            }
        } catch (RuntimeException e) {  // the file sensor detached meanwhile
            LOG.log(System.Logger.Level.WARNING, "identity watch not refreshed after a link: " + e);
        }
    }

    /**
     * Tells the kernel how many reported links are in the identity watch: once it has them all,
     * opens of files of several names go back to costing it nothing (file.bpf.c, link_counts).
     */
    void linksTaken(long count) {
        BpfObject file = fileSensor.get();
        if (file == null) {
            return;
        }
        try {
            file.map("link_counts").update(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array(),
                    ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(count).array());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "link count not written: " + e);
        }
    }

    /** The name the identity watch gives opens of {@code file}; empty when not watched, or without the file sensor. */
    Optional<String> watchedName(Path file) {
        BpfObject o = fileSensor.get();
        return o == null ? Optional.empty() : WatchedInodes.watchedName(o, file);
    }
}
