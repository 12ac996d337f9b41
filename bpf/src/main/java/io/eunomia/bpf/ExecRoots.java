package io.eunomia.bpf;

import io.eunomia.bpf.internal.ProcessRecords.Root;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The root directory the last exec in each container's mount namespace ran in, as the kernel
 * described it at the exec: the way to a short-lived container's files once its process, and
 * with it /proc/PID/root and /proc/PID/exe, is gone (see {@link ContainerRootOnHost}). Keyed by
 * namespace id (never reused); the most recently used {@link #MAX} namespaces are kept.
 */
final class ExecRoots {
    static final int MAX = 1024;
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final long hostMntns;
    private final Map<Long, Root> byNamespace = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Root> eldest) {
            return size() > MAX;
        }
    };

    ExecRoots(long hostMntns) {
        this.hostMntns = hostMntns;
    }

    /** An exec decoded (poller thread). */
    synchronized void onExec(long mntns, long mntnsId, Optional<Root> root) {
        if (mntns != hostMntns && mntnsId != 0 && root.isPresent()) {
            byNamespace.put(mntnsId, root.get());
        }
    }

    /** The root the namespace's last exec reported (poller thread); null when none was seen. */
    synchronized Root root(long mntnsId) {
        return byNamespace.get(mntnsId);
    }

    /** Where the host reaches that root now; empty when no exec of the namespace was seen or its file system is gone. */
    Optional<Path> onHost(long mntnsId) {
        Root root;
        synchronized (this) {
            root = byNamespace.get(mntnsId);
        }
        return root == null ? Optional.empty() : ContainerRootOnHost.find(root, MOUNTINFO);
    }
}
