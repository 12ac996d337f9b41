package io.eunomia.bpf.process;

import io.eunomia.event.ProcessInfo;

/**
 * Whether an exec happened on the host: in the host's pid namespace, and in the host's mount
 * namespace or one no container owns (a host process's private one: systemd's PrivateTmp, or the
 * unshare -m crun runs under here). A container runtime's init is exec'd there (runc run execs
 * /proc/self/exe init, then its memfd copy; crun its memfd copy) and sets the container up before it
 * execs the workload; every process of the workload was exec'd inside the container. The
 * process's name is its own choice (prctl PR_SET_NAME "runc:[2:INIT]"), the namespaces of its exec
 * are not: a process cannot exec in a pid namespace other than its own, and a container's process
 * reaches the host's only through the escapes the rules watch (a host pid namespace and
 * setns/nsenter into the host's mount namespace, whose exec raises "Container process entered
 * the host mount namespace" before any later event could be excused).
 *
 * @param hostMntns the host's mount namespace inode (pid 1's), -1 unknown
 */
record ExecSite(long hostMntns) {
    /** The host's pid namespace: PROC_PID_INIT_INO, the same inode on every kernel. */
    static final long HOST_PIDNS = 4026531836L;

    /** An exec event's process (attributed to its container): whether it exec'd on the host. */
    boolean onHost(ProcessInfo exec) {
        if (exec.pidns() != HOST_PIDNS) {
            return false;
        }
        // a container's process by its cgroup in the host's namespace (runc's init re-exec'd after it joined
        // the container's cgroup) is in the host's mount namespace; an unresolved one in the host's pid
        // namespace is a host process's private namespace (as the pack's in_a_container reads it)
        return exec.mntns() == hostMntns || exec.container().isHost() || !exec.container().isResolved();
    }
}
