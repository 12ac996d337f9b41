package io.eunomia.bpf.process;

import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.bpf.paths.MountTable;
import io.eunomia.bpf.paths.MountTables;
import java.io.IOException;
import java.nio.file.Files;
import java.util.function.LongFunction;

/**
 * The upper directory of the overlay a mount namespace's root is: every exec in a container asks
 * it (is the program from the container's writable layer?). Answered from the namespace's mount
 * table as {@link MountTables} keeps it (shared with path calls): read once per namespace, read
 * again after a mount call is seen anywhere or when 1 s old. A kept table whose root is a whole
 * file system, or the host's root mount (a btrfs subvolume), that is no overlay is read again at an exec unless the kernel's exec record says the
 * namespace's root directory is still the one it was when the table was read: that is the host's
 * root a runtime's process execs on before it pivots to the container's (the pivot_root may be
 * seen by no sensor), and the pivot changes the root directory the kernel reports (device and
 * inode). Without that report (older kernels, a record lost) it is read at every such exec, as is
 * every exec without the namespace's id: the kernel gives a dead namespace's number to the next
 * one. Used by one thread (the process table's).
 */
final class RootLayers {
    /** Namespaces whose root at a table's read is remembered at most (as many as MountTables keeps). */
    static final int MAX_NAMESPACES = 256;

    /** The kernel's root directory (device, inode) at the time the namespace's kept table was read. */
    private record ReadAt(MountTable table, int major, int minor, long ino) {
        boolean same(ProcessRecords.Root r) {
            return r != null && r.major() == major && r.minor() == minor && r.ino() == ino;
        }
    }

    private final MountTables mounts;
    private final ProcReader proc;
    /** The root directory of the last exec the kernel reported per namespace id (null when none). */
    private final LongFunction<ProcessRecords.Root> kernelRoot;
    private final LruMap<Long, ReadAt> readAt = new LruMap<>(MAX_NAMESPACES);
    /** Namespace ids whose root was found pivoted: a container's own (a root is not pivoted back). */
    private final LruMap<Long, Boolean> pivoted = new LruMap<>(MAX_NAMESPACES);
    /** The host's root mount, read at the first root that is not a whole file system (null: unreadable). */
    private MountTable.Mount hostRoot;
    private boolean hostRootRead;

    RootLayers(MountTables mounts, ProcReader proc) {
        this(mounts, proc, id -> null);
    }

    RootLayers(MountTables mounts, ProcReader proc, LongFunction<ProcessRecords.Root> kernelRoot) {
        this.mounts = mounts;
        this.proc = proc;
        this.kernelRoot = kernelRoot;
    }

    /** The upper directory of pid's root overlay ("" when its root is no overlay, or unknown and the process gone). */
    String upperDir(int pid, long mntns, long mntnsId) {
        if (mntnsId == 0) {
            // Without the kernel's id a kept table may be a dead namespace's whose number this one got.
            MountTable t = mounts.of(mntns, 0, proc.task(pid), kept -> false);
            return t == null ? "" : t.rootUpperDir();
        }
        ProcessRecords.Root root = kernelRoot.apply(mntnsId);
        ReadAt at = readAt.get(mntnsId);
        long readsBefore = mounts.reads();
        long failuresBefore = mounts.readFailures();
        MountTable t = mounts.of(mntns, mntnsId, proc.task(pid),
                kept -> settled(kept) || at != null && at.table() == kept && at.same(root));
        if (t != null && root != null && mounts.reads() != readsBefore && mounts.readFailures() == failuresBefore) {
            // Read now, so after the reported exec: while the kernel reports this root, the table holds.
            // (A failed read served an older table, which may be from before a pivot: not vouched for.)
            readAt.put(mntnsId, new ReadAt(t, root.major(), root.minor(), root.ino()));
        }
        return t == null ? "" : t.rootUpperDir();
    }

    /**
     * Whether the mount namespace is a container's own: its root pivoted away from the host's (an
     * overlay, or a bind of a directory that is not the host's root), as a runtime's init leaves it
     * before it execs the workload. Judged from the namespace's mounts, not from the cgroup: a
     * runtime in a private namespace of its own (rootless docker, a unit's PrivateTmp) that moved
     * into the container's cgroup still has the host's root. Its table is read through pid only
     * when readable (pid is in that namespace now), else what is kept answers; unknown: false.
     */
    boolean containersOwn(int pid, long mntns, long mntnsId, boolean readable) {
        if (mntnsId != 0 && pivoted.containsKey(mntnsId)) {
            return true;
        }
        MountTable t = mounts.of(mntns, mntnsId, readable ? proc.task(pid) : null);
        // the host's own root mount is no container's, even an overlay (a live system, a host that is a container)
        boolean own = t != null && settled(t) && (t.at("/") == null || !isHostRoot(t.at("/")));
        if (own && mntnsId != 0) {
            pivoted.put(mntnsId, Boolean.TRUE);
        }
        return own;
    }

    /** Namespaces whose root at a read was forgotten because more were seen (each then costs one more read). */
    long evicted() {
        return readAt.evicted();
    }

    /**
     * An overlay root, or one not a whole file system (a bind of a container's root directory:
     * the root pivoted already); a root such as the host's may still be pivoted away.
     */
    private boolean settled(MountTable t) {
        MountTable.Mount root = t.at("/");
        return !t.rootUpperDir().isEmpty() || root != null && !root.root().equals("/") && !isHostRoot(root);
    }

    /**
     * Whether root is the host's root mount (pid 1's: its device and the directory of it mounted).
     * A btrfs host (Fedora, openSUSE) mounts a subvolume as its root (mount root /@, /root,
     * /@/.snapshots/1/snapshot), not its whole file system, and a runtime's process still execs
     * under it before it pivots. Read once; unreadable: none.
     */
    private boolean isHostRoot(MountTable.Mount root) {
        if (!hostRootRead) {
            hostRootRead = true;
            try {
                hostRoot = MountTable.parse(Files.readString(proc.task(1).resolve("mountinfo"))).at("/");
            } catch (IOException | RuntimeException e) {
                hostRoot = null;  // pid 1's table unreadable here: every root not a whole file system counts as pivoted
            }
        }
        return hostRoot != null && hostRoot.device().equals(root.device()) && hostRoot.root().equals(root.root());
    }
}
