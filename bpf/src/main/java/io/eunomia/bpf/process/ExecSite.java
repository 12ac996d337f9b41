package io.eunomia.bpf.process;

import io.eunomia.event.ProcessInfo;

/**
 * Whether a process's program was exec'd on the host: in the host's pid namespace, and in the
 * host's mount namespace or one that is no container's own (a host process's private one:
 * systemd's PrivateTmp, rootless docker's, the unshare -m crun runs under here). A container
 * runtime's init is exec'd there (runc run execs /proc/self/exe init, then its memfd copy; crun its
 * memfd copy) and sets the container up before it execs the workload; every process of the
 * workload was exec'd inside the container. The process's name is its own choice (prctl
 * PR_SET_NAME "runc:[2:INIT]"), the namespaces of its exec are not: a process cannot exec in a pid
 * namespace other than its own, and a container's process reaches the host's only through the
 * escapes the rules watch (a host pid namespace and setns/nsenter into the host's mount namespace,
 * whose exec raises "Container process entered the host mount namespace" before any later event
 * could be excused).
 *
 * <p>The exec's namespaces are kept ({@link Where}) and judged at each event, not once at the exec:
 * whether a mount namespace is a container's own is read from its root (pivoted by the container's
 * init, {@link RootLayers#containersOwn}), never from the event's container attribution, which may
 * not be final at the exec (released unresolved after a hold, or by an overflow) and names a
 * runtime's private namespace after its cgroup as the container.
 *
 * @param hostMntns the host's mount namespace inode (pid 1's), -1 unknown
 */
record ExecSite(long hostMntns, RootLayers roots) {
    /** The host's pid namespace: PROC_PID_INIT_INO, the same inode on every kernel. */
    static final long HOST_PIDNS = 4026531836L;

    /** The namespaces a process's program was exec'd in (the kernel's, from the exec event). */
    record Where(long pidns, long mntns, long mntnsId) {
        static Where of(ProcessInfo exec) {
            return new Where(exec.pidns(), exec.mntns(), exec.mntnsId());
        }
    }

    /**
     * Whether the program was exec'd on the host, as known now; false when its exec was not seen.
     * now: the process at this event (its mount table is read through it while it is still in the
     * namespace it exec'd in).
     */
    boolean onHost(Where exec, ProcessInfo now) {
        if (exec == null || exec.pidns() != HOST_PIDNS) {
            return false;
        }
        if (exec.mntns() == hostMntns) {
            return true;
        }
        boolean readable = now.mntns() == exec.mntns() && now.mntnsId() == exec.mntnsId();
        return !roots.containersOwn(now.pid(), exec.mntns(), exec.mntnsId(), readable);
    }
}
