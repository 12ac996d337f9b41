package io.eunomia.bpf.paths;

import io.eunomia.libbpf.PathDescriptors;
import java.nio.file.Path;

/**
 * The /proc directory of a process that is still in a given mount namespace: the task of an
 * event, or, once it has exited (a short `rm`), its parent when that shares the namespace. A pid
 * reused by a process elsewhere is not taken for it.
 */
final class TaskView {
    private final Path proc;

    TaskView(Path proc) {
        this.proc = proc;
    }

    /** The /proc/PID of pid, else of ppid, in mount namespace mntns (its inode); null when neither is there. */
    Path of(int pid, int ppid, long mntns) {
        if (inNamespace(pid, mntns)) {
            return proc.resolve(Integer.toString(pid));
        }
        if (ppid > 0 && inNamespace(ppid, mntns)) {
            return proc.resolve(Integer.toString(ppid));
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
