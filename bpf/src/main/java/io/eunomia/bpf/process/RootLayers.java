package io.eunomia.bpf.process;

import io.eunomia.bpf.paths.MountTable;
import io.eunomia.bpf.paths.MountTables;

/**
 * The upper directory of the overlay a mount namespace's root is: every exec in a container asks
 * it (is the program from the container's writable layer?). Answered from the namespace's mount
 * table as {@link MountTables} keeps it (shared with path calls): read once per namespace, read
 * again after a mount call is seen anywhere or when 1 s old, so a root moved after the
 * namespace's first exec (a runtime's processes exec there before it pivots the root) is seen,
 * whether the answer was an overlay or none. Used by one thread (the process table's).
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
        MountTable t = mounts.of(mntns, mntnsId, proc.task(pid));
        return t == null ? "" : t.rootUpperDir();
    }
}
