package io.eunomia.bpf;

import io.eunomia.libbpf.BpfObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The identity watch of containers' own files ({@link WatchedInodes#applyContainer}): a container's
 * /etc/shadow is another inode than the host's, and a hard link to it may come with its image or
 * be made before the monitor started. Each mount namespace whose root is not the host's is looked
 * at once per root: at start for those that run already ({@link #scanRunning}), then at the first
 * exec seen in it (the runtime has changed the root by the time the container's program runs).
 * Runs on the thread that decodes records; not thread-safe.
 */
final class ContainerWatchedInodes {
    /** Containers kept at once; the oldest looked at is dropped beyond (its files then match by name only). */
    static final int MAX_NAMESPACES = 128;

    /** A namespace looked at: its root (device, inode as the host sees them) and the keys written for it. */
    private record Scan(long rootDev, long rootIno, int pid, Set<ByteBuffer> keys) {}

    private final long hostMntns;
    private final Map<Long, Scan> scans = new LinkedHashMap<>();
    private final long[] hostRoot;

    ContainerWatchedInodes(long hostMntns) {
        this.hostMntns = hostMntns;
        this.hostRoot = rootOf(Path.of("/")).orElse(new long[] {-1, -1});
    }

    /** Looks at the namespace of pid, found running mntns, unless it is the host's, has the host's root or was seen with this root. */
    synchronized void onProcess(BpfObject file, long mntns, int pid, List<String> prefixes) {
        if (mntns == hostMntns || mntns == 0) {
            return;
        }
        Path root = Path.of("/proc", Integer.toString(pid), "root");
        Optional<long[]> r = rootOf(root);
        if (r.isEmpty() || (r.get()[0] == hostRoot[0] && r.get()[1] == hostRoot[1])) {
            return;  // gone, or a host process in a private namespace (unshare -m): the host's files are its own
        }
        Scan old = scans.get(mntns);
        if (old != null && old.rootDev() == r.get()[0] && old.rootIno() == r.get()[1]) {
            return;
        }
        if (old != null) {  // the number was reused by another container (or its root changed)
            WatchedInodes.forget(file, old.keys(), mntns);
        }
        scans.put(mntns, new Scan(r.get()[0], r.get()[1], pid, WatchedInodes.applyContainer(file, root, mntns, prefixes)));
        trim(file);
    }

    /**
     * A hard link made (or a rename) in a container to path (as it sees it): its target has another
     * name now. False when mntns is no container looked at (the host's files are the caller's).
     */
    synchronized boolean linked(BpfObject file, long mntns, int pid, String path) {
        Scan s = scans.get(mntns);
        if (s == null) {
            return false;
        }
        // ln has usually ended by now: then the root of the process the container was looked at through.
        Optional<ByteBuffer> k = WatchedInodes.addOne(file, Path.of("/proc", Integer.toString(pid), "root"), path, mntns);
        if (k.isEmpty() && pid != s.pid()) {
            k = WatchedInodes.addOne(file, Path.of("/proc", Integer.toString(s.pid()), "root"), path, mntns);
        }
        k.ifPresent(s.keys()::add);
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
                    if (seen.add(mntns)) {
                        onProcess(file, mntns, Integer.parseInt(p.getFileName().toString()), prefixes);
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
        scans.forEach((mntns, s) -> WatchedInodes.forget(file, s.keys(), mntns));
        scans.clear();
    }

    /** The namespaces looked at (tests). */
    synchronized Set<Long> namespaces() {
        return scans.keySet();
    }

    private void trim(BpfObject file) {
        Iterator<Map.Entry<Long, Scan>> it = scans.entrySet().iterator();
        while (scans.size() > MAX_NAMESPACES && it.hasNext()) {
            Map.Entry<Long, Scan> e = it.next();
            WatchedInodes.forget(file, e.getValue().keys(), e.getKey());
            it.remove();
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
