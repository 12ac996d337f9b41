package io.eunomia.event;

/**
 * Who did it: ids and namespaces of the acting task at the time of the event.
 *
 * @param pid      thread group id (what users call the pid)
 * @param tid      thread id
 * @param ppid     real parent's pid
 * @param comm     the task's command name (at most 15 characters)
 * @param pcomm    command name of the parent process (ppid's, as /proc/PPID/comm shows it) at the
 *                 time of the event; "" when not known
 * @param mntns    mount namespace inode number (what /proc/PID/ns/mnt shows; reused once freed)
 * @param mntnsId  the mount namespace's id, unique while the host runs (the container key; 0 on
 *                 kernels that do not number namespaces)
 * @param pidns    pid namespace inode number
 * @param cgroupId cgroup v2 id (1 for tasks in the v2 root on hybrid hosts)
 * @param container the container the task runs in ({@link ContainerInfo#HOST} for host processes)
 * @param facts    what the process table adds (ancestors, cwd, user name ...); {@link ProcessFacts#NONE}
 *                 before enrichment
 */
public record ProcessInfo(int pid, int tid, int ppid, int uid, int gid, int euid, int egid,
                          String comm, String pcomm, long mntns, long mntnsId, long pidns, long cgroupId,
                          ContainerInfo container, ProcessFacts facts) {
    public ProcessInfo {
        // recordings made before the process table existed have no facts
        facts = facts == null ? ProcessFacts.NONE : facts;
    }

    /** Before enrichment: no process-table facts yet. */
    public ProcessInfo(int pid, int tid, int ppid, int uid, int gid, int euid, int egid,
                       String comm, String pcomm, long mntns, long mntnsId, long pidns, long cgroupId, ContainerInfo container) {
        this(pid, tid, ppid, uid, gid, euid, egid, comm, pcomm, mntns, mntnsId, pidns, cgroupId, container, ProcessFacts.NONE);
    }

    /** Without the parent's name (pcomm ""), for callers that do not know it. */
    public ProcessInfo(int pid, int tid, int ppid, int uid, int gid, int euid, int egid,
                       String comm, long mntns, long mntnsId, long pidns, long cgroupId, ContainerInfo container) {
        this(pid, tid, ppid, uid, gid, euid, egid, comm, "", mntns, mntnsId, pidns, cgroupId, container);
    }

    public ProcessInfo withContainer(ContainerInfo c) {
        return new ProcessInfo(pid, tid, ppid, uid, gid, euid, egid, comm, pcomm, mntns, mntnsId, pidns, cgroupId, c, facts);
    }

    public ProcessInfo withFacts(ProcessFacts f) {
        return new ProcessInfo(pid, tid, ppid, uid, gid, euid, egid, comm, pcomm, mntns, mntnsId, pidns, cgroupId, container, f);
    }
}
