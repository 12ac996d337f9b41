package io.eunomia.bpf.paths;

import io.eunomia.libbpf.PathDescriptors;
import java.nio.file.Path;

/**
 * The /proc directory of a process that is still in a given mount namespace: the task of an
 * event, or, once it has exited (a short `rm`), its parent when that shares the namespace, or,
 * once both have (a `sh -c` decoded late on a loaded host), init or this process when the
 * namespace is theirs (the host's). A pid reused by a process elsewhere is not taken for it.
 */
final class TaskView {
    /**
     * Stand in last, in the host's namespace, where they are always there with its root (a chroot of
     * the exited task's own is not seen, as with its parent): init, and this process where init's
     * namespace cannot be read (a sandbox that hides it: this CI machine). A container's init is
     * not known here: there a task gone with its parent stays gone (PathCallResolution counts it).
     */
    private static final int INIT = 1;
    private static final int SELF = (int) ProcessHandle.current().pid();

    private final Path proc;

    TaskView(Path proc) {
        this.proc = proc;
    }

    /** The /proc/PID of pid, else of ppid, else of init or this process, in mount namespace mntns (its inode); null when none is. */
    Path of(int pid, int ppid, long mntns) {
        for (int candidate : new int[] {pid, ppid, INIT, SELF}) {
            if (inNamespace(candidate, mntns)) {
                return proc.resolve(Integer.toString(candidate));
            }
        }
        return null;
    }

    private boolean inNamespace(int pid, long mntns) {
        if (pid <= 0) {
            return false;
        }
        String link = PathDescriptors.readLink(proc.resolve(pid + "/ns/mnt").toString());  // "mnt:[4026531841]"
        if (link == null) {
            return false;  // gone: common for a short task, so no exception per look
        }
        int open = link.indexOf('[');
        try {
            return open > 0 && link.endsWith("]") && Long.parseLong(link.substring(open + 1, link.length() - 1)) == mntns;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
