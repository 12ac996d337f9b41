package io.eunomia.bpf.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What identifies a mount namespace's container, captured while a process of it was alive: by the
 * kernel at the namespace's first event (namespace records, see events.h), or read from /proc for
 * a live process ({@link ProcFs#identity}).
 *
 * @param mntns      mount namespace inode number
 * @param mntnsId    the namespace's id (never reused; 0 when the kernel has none)
 * @param pid        the process that revealed it
 * @param comm       its command name
 * @param cgroupV2   its cgroup v2 path ("/" for the root)
 * @param cgroupV2Id its cgroup v2 id
 * @param cgroupV1   its path on the v1 hierarchy of {@code v1Controller}; "" when none is watched
 * @param cgroupV1Id that cgroup's id; 0 when none
 * @param v1Controller the v1 controller whose hierarchy cgroupV1 is on ("pids", ...); "" for none
 * @param ancestors  parent, grandparent, ... (at most a few)
 */
public record NamespaceIdentity(long mntns, long mntnsId, int pid, String comm, String cgroupV2, long cgroupV2Id,
                                String cgroupV1, long cgroupV1Id, String v1Controller, List<Ancestor> ancestors) {

    /**
     * A process above the one that revealed the namespace.
     *
     * @param cgroupId its cgroup id on the hierarchy the namespace's own cgroup is compared on (v1
     *                 when one is watched, else v2); 0 when unknown
     */
    public record Ancestor(int pid, String comm, long cgroupId) {}

    /** A container runtime process among the ancestors (or the process itself). */
    public record RuntimeProcess(String runtime, int pid, String comm, long cgroupId) {}

    /** OCI runtimes whose main process runs while it creates a container ({@code runc run|create ID}). */
    static final Set<String> OCI_RUNTIMES = Set.of("runc", "crun", "youki");

    public NamespaceIdentity {
        ancestors = List.copyOf(ancestors);
    }

    /** The key namespaces are cached by: the id, or the inode number on kernels without ids. */
    public long key() {
        return key(mntns, mntnsId);
    }

    public static long key(long mntns, long mntnsId) {
        return mntnsId != 0 ? mntnsId : mntns | Long.MIN_VALUE;
    }

    /** The cgroup paths as /proc/PID/cgroup lines, for {@link CgroupPatterns}. */
    public List<String> cgroupLines() {
        List<String> lines = new ArrayList<>(2);
        if (!cgroupV1.isEmpty()) {
            lines.add("1:" + v1Controller + ":" + cgroupV1);
        }
        lines.add("0::" + cgroupV2);
        return lines;
    }

    /** The path its own cgroup is compared on: v1 when one is watched (hybrid hosts), else v2. */
    String comparedCgroup() {
        return cgroupV1.isEmpty() ? cgroupV2 : cgroupV1;
    }

    long comparedCgroupId() {
        return cgroupV1.isEmpty() ? cgroupV2Id : cgroupV1Id;
    }

    /**
     * The nearest ancestor that is an OCI runtime's main process ("runc", "crun": the one started
     * with {@code run|create ID}), skipping the runtime's own helper stages ("runc:[2:INIT]"). By its
     * name alone: whether it is the host's runtime (its command line believed) is asked of the live
     * process (ContainerResolver).
     */
    public Optional<RuntimeProcess> ociRuntime() {
        for (Ancestor a : ancestors) {
            if (OCI_RUNTIMES.contains(a.comm())) {
                return Optional.of(new RuntimeProcess(a.comm(), a.pid(), a.comm(), a.cgroupId()));
            }
        }
        return Optional.empty();
    }

    /**
     * The engine above the OCI runtime, by its process: containerd's shim, or conmon, which podman and
     * CRI-O both run, so it says only "conmon" (their records or cgroup layout name which). Only an
     * ancestor {@code trusted} says so: any user may name a process "conmon".
     */
    public Optional<String> engineHint(java.util.function.Predicate<Ancestor> trusted) {
        for (Ancestor a : ancestors) {
            if (a.comm().equals("conmon") && trusted.test(a)) {
                return Optional.of(EngineStacks.CONMON);
            }
            if (a.comm().startsWith("containerd-shim") && trusted.test(a)) {
                return Optional.of("containerd");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the runtime placed the process in a cgroup of its own: its cgroup differs from the
     * runtime main process's. Before that (a runtime may create the namespace first and move the
     * process after) the process's cgroup is the runtime's, which names no container.
     */
    public boolean placedByRuntime() {
        Optional<RuntimeProcess> rt = ociRuntime();
        return rt.isPresent() && rt.get().cgroupId() != 0 && rt.get().cgroupId() != comparedCgroupId()
                && !comparedCgroup().equals("/");
    }

    /** The innermost component of the compared cgroup path ("/a/b" → "b"), "" at the root. */
    String cgroupLeaf() {
        String p = comparedCgroup();
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }
}
