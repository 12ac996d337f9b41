package io.eunomia.bpf.process;

import java.util.Map;

/**
 * The upper directory of the overlay a mount namespace's root is, remembered per namespace: every
 * exec in a container asks it (is the program from the container's writable layer?), and reading
 * /proc/PID/mountinfo for each costs more than the rest of the exec's handling. Only an overlay
 * root is remembered: a runtime's processes may exec in a new namespace before it moves the root
 * there (then the answer is "none" and is asked again); a namespace keeps its root once moved.
 * Keyed by the namespace's 64-bit id (never reused within a boot); without one nothing is kept.
 * Used by one thread (the process table's).
 */
final class RootLayers {
    private static final int CAPACITY = 1024;
    private final ProcReader proc;
    private final Map<Long, String> upperByNamespace = new LruMap<>(CAPACITY);

    RootLayers(ProcReader proc) {
        this.proc = proc;
    }

    /** The upper directory of pid's root overlay ("" when its root is no overlay or it is gone). */
    String upperDir(int pid, long mntnsId) {
        String known = mntnsId == 0 ? null : upperByNamespace.get(mntnsId);
        if (known != null) {
            return known;
        }
        String upper = proc.rootUpperDir(pid);
        if (!upper.isEmpty() && mntnsId != 0) {
            upperByNamespace.put(mntnsId, upper);
        }
        return upper;
    }
}
