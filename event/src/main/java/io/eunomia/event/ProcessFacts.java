package io.eunomia.event;

import java.util.List;

/**
 * What the process table (the enrichment stage between decoding and rules) knows about the acting
 * process beyond the kernel record: its ancestors, working directory, user name, start time and
 * the exec'd file's origin. {@link #NONE} when no table ran (replays of old recordings, tests).
 *
 * @param exe           the process's executable as the table knows it (its last exec, or /proc/PID/exe); "" unknown
 * @param cmdline       its command line, argv joined by spaces; "" unknown
 * @param ancestors     parent first, then grandparent, ... (bounded; as the table saw them)
 * @param cwd           working directory with a trailing /: the kernel sensor's at the exec, else the
 *                      parent's (fork) or /proc's (first sight); "" unknown
 * @param userName      the real uid's name in the process's own /etc/passwd (its container's); "" unknown
 * @param startNanos    when the process started (fork or /proc start time), epoch ns; 0 unknown
 * @param capEffective  effective capability set (bit n = CAP n) read from /proc/PID/status at exec or
 *                      first sight; -1 unknown
 * @param capPermitted  permitted capability set, read with capEffective; -1 unknown
 * @param vpid          the pid in the process's own pid namespace (NSpid's last); -1 unknown
 * @param allCapabilities the effective set holds every capability the host's init may hold (its bounding
 *                      set): what a privileged container's processes have
 * @param seccomp       seccomp mode from /proc/PID/status (0 none, 1 strict, 2 filter); -1 unknown
 * @param exeUpperLayer the executable lives in the writable upper layer of an overlay root (written
 *                      after the container started)
 * @param exeFromMemfd  the executable is a memfd (fileless execution)
 * @param eventNum      the event's number in this run, from 1; 0 when not numbered
 * @param execOnHost    the program the process runs was exec'd on the host (in the host's pid namespace,
 *                      outside every container's own mount namespace) and the process has not exec'd
 *                      since; for an exec event, the program that called exec. A container runtime sets
 *                      a container up in such a process; every workload process was exec'd inside its
 *                      container, whatever name it gives itself. false when the table did not see the
 *                      exec (a process running before the monitor started)
 */
public record ProcessFacts(String exe, String cmdline, List<Ancestor> ancestors, String cwd, String userName, long startNanos, long capEffective,
                           long capPermitted, int vpid, boolean allCapabilities, long seccomp, boolean exeUpperLayer, boolean exeFromMemfd, long eventNum,
                           boolean execOnHost) {
    public static final ProcessFacts NONE = new ProcessFacts("", "", List.of(), "", "", 0, -1, -1, -1, false, -1, false, false, 0, false);

    /** Facts of a process whose exec the table did not see (execOnHost false). */
    public ProcessFacts(String exe, String cmdline, List<Ancestor> ancestors, String cwd, String userName, long startNanos, long capEffective,
                        long capPermitted, int vpid, boolean allCapabilities, long seccomp, boolean exeUpperLayer, boolean exeFromMemfd,
                        long eventNum) {
        this(exe, cmdline, ancestors, cwd, userName, startNanos, capEffective, capPermitted, vpid, allCapabilities, seccomp, exeUpperLayer,
                exeFromMemfd, eventNum, false);
    }

    /**
     * One ancestor.
     *
     * @param exe     its executable's path ("" unknown)
     * @param cmdline argv joined by spaces ("" unknown)
     */
    public record Ancestor(int pid, String name, String exe, String cmdline) {}

    public ProcessFacts {
        exe = exe == null ? "" : exe;
        cmdline = cmdline == null ? "" : cmdline;
        ancestors = List.copyOf(ancestors);
        cwd = cwd == null ? "" : cwd;
        userName = userName == null ? "" : userName;
    }

    /** The ancestor at depth n (1 = parent), or null past the known ones. */
    public Ancestor ancestor(int n) {
        return n >= 1 && n <= ancestors.size() ? ancestors.get(n - 1) : null;
    }

    /** The names of all known ancestors, parent first. */
    public List<String> ancestorNames() {
        return ancestors.stream().map(Ancestor::name).toList();
    }

    public ProcessFacts withEventNum(long n) {
        return new ProcessFacts(exe, cmdline, ancestors, cwd, userName, startNanos, capEffective, capPermitted, vpid, allCapabilities, seccomp, exeUpperLayer, exeFromMemfd, n,
                execOnHost);
    }
}
