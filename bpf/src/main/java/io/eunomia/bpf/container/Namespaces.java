package io.eunomia.bpf.container;

import java.util.OptionalLong;

/** Mount namespace numbers of live processes, and which one is the host's. */
public final class Namespaces {
    private Namespaces() {}

    /** The mount namespace number of a process (/proc/PID/ns/mnt), empty when it is gone. */
    public static OptionalLong mountNamespace(long pid) {
        return ProcFs.system().mntns((int) pid);
    }

    /** One process of every mount namespace that has one now, by number and id (never by number alone). */
    public static java.util.List<LiveNamespace> live() {
        return ProcFs.system().liveNamespaces();
    }

    /**
     * The host's mount namespace: pid 1's, or ours when pid 1's cannot be read (some sandboxes
     * hide it even from root); -1 when neither can be read.
     */
    public static long hostMountNamespace() {
        OptionalLong host = mountNamespace(1);
        if (host.isEmpty()) {
            host = mountNamespace(ProcessHandle.current().pid());
        }
        return host.orElse(-1);
    }
}
