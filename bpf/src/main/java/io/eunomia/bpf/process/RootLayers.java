package io.eunomia.bpf.process;

import io.eunomia.bpf.paths.MountTable;
import io.eunomia.bpf.paths.MountTables;

/**
 * The upper directory of the overlay a mount namespace's root is: every exec in a container asks
 * it (is the program from the container's writable layer?). Answered from the namespace's mount
 * table as {@link MountTables} keeps it (shared with path calls): read once per namespace, read
 * again after a mount call is seen anywhere or when 1 s old. A kept table whose root is a whole
 * file system that is no overlay is read again at every exec: that is the host's root a runtime's
 * process execs on before it pivots to the container's (the pivot_root may be seen by no sensor),
 * so its "none" stands for no later exec. Without the namespace's id (older kernels) every exec
 * reads it: the kernel gives a dead namespace's number to the next one. Used by one thread (the process table's).
 */
final class RootLayers {
    private final MountTables mounts;
    private final ProcReader proc;

    RootLayers(MountTables mounts, ProcReader proc) {
        this.mounts = mounts;
        this.proc = proc;
    }

    /** The upper directory of pid's root overlay ("" when its root is no overlay, or unknown and the process gone). */
    String upperDir(int pid, long mntns, long mntnsId) {
        // Without the kernel's id a kept table may be a dead namespace's whose number this one got.
        MountTable t = mounts.of(mntns, mntnsId, proc.task(pid), mntnsId == 0 ? kept -> false : RootLayers::settled);
        return t == null ? "" : t.rootUpperDir();
    }

    /**
     * An overlay root, or one not a whole file system (a bind of a container's root directory:
     * the root pivoted already); a root such as the host's may still be pivoted away.
     */
    private static boolean settled(MountTable t) {
        MountTable.Mount root = t.at("/");
        return !t.rootUpperDir().isEmpty() || root != null && !root.root().equals("/");
    }
}
