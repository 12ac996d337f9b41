package io.eunomia.bpf.paths;

import io.eunomia.libbpf.Libc;
import io.eunomia.libbpf.PathDescriptors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The /proc directory of a process that is still in a given mount namespace: the task of an
 * event, or, once it has exited (a short `rm`), its parent when that shares the namespace, or,
 * once both have (a `sh -c` decoded late on a loaded host, a `docker exec` whose parent is the
 * runtime's), another process of that namespace: init or this process in the host's, a live
 * process of a container's ({@link NamespaceStandIns}). Each stands in with its root and mount
 * table, which are the namespace's; a task that had a root of its own (a chroot) is stood in for
 * only by a process with that root ({@link #withRoot}: the caller compares the root it opens with
 * the one the kernel read at the call). A pid reused by
 * a process elsewhere is not taken for it; a stand-in of a container's is checked by the namespace's
 * id too, so a process of a later namespace given the number of a dead one (the next container's)
 * never stands in.
 */
final class TaskView {
    /**
     * Stand in last, in the host's namespace, where they are always there with its root: init, and
     * this process where init's namespace cannot be read (a sandbox that hides it: this CI machine).
     */
    private static final int INIT = 1;
    private static final int SELF = (int) ProcessHandle.current().pid();
    private static final Path SYSTEM_PROC = Path.of("/proc");

    private final Path proc;
    private final IntFunction<OptionalLong> ids;
    private final NamespaceStandIns standIns;
    private boolean hostRootRead;
    private MountTable.Mount hostRoot;

    /**
     * @param ids the mount namespace id of a pid (ioctl NS_GET_MNTNS_ID); empty when it is gone or the kernel tells none
     */
    TaskView(Path proc, IntFunction<OptionalLong> ids, LongSupplier clock) {
        this.proc = proc;
        this.ids = ids;
        this.standIns = new NamespaceStandIns(proc, clock);
    }

    /** Over proc: the system's /proc is asked for ids, a test's tree has none. */
    static TaskView of(Path proc, LongSupplier clock) {
        return new TaskView(proc, proc.equals(SYSTEM_PROC) ? Libc::mountNamespaceId : pid -> OptionalLong.empty(), clock);
    }

    /**
     * The /proc/PID of pid, else of ppid, else of another process in mount namespace mntns (inode),
     * a container's stand-in only of id mntnsId (0: the kernel tells none, no stand-in); null when none is.
     */
    Path of(int pid, int ppid, long mntns, long mntnsId) {
        for (int candidate : new int[] {pid, ppid, INIT, SELF}) {
            if (inNamespace(candidate, mntns)) {
                return dir(candidate);
            }
        }
        if (mntnsId == 0) {
            return null;  // no id to tell this namespace from a later one of the same number
        }
        int standIn = standIns.find(mntns, mntnsId, this::sameNamespace);
        return standIn > 0 ? dir(standIn) : null;
    }

    /**
     * The /proc/PID of a live process of namespace mntns (id mntnsId) whose root was root at the last
     * pass over /proc (a chrooted task's stand-in); null when none is, or the namespace has no id to
     * tell it from a later one of its number.
     */
    Path withRoot(long mntns, long mntnsId, TaskRoot root) {
        if (mntnsId == 0 || !root.known()) {
            return null;
        }
        int standIn = standIns.find(mntns, mntnsId, root, this::sameNamespace);
        return standIn > 0 ? dir(standIn) : null;
    }

    /** The process withRoot gave no longer has that root (it chrooted since the pass). */
    void forgetRoot(long mntns, long mntnsId, TaskRoot root) {
        standIns.forget(mntns, mntnsId, root);
    }

    /** Whole-/proc passes made to find stand-ins. */
    long standInScans() {
        return standIns.scans();
    }

    /** Looks for a stand-in that went on without the pass over /proc they needed: it was late. */
    long standInsLate() {
        return standIns.late();
    }

    /** Processes not asked for their root by a look for a chrooted task's stand-in: their pass had read its bound. */
    long standInRootsUnread() {
        return standIns.rootsUnread();
    }

    /**
     * pid is in namespace number mntns. By number alone (a readlink; the id's ioctl would add ~12 µs
     * to every walk here): the task, its parent, and the host's init and this process, whose
     * namespace is never freed, are the event's own; taking one for a process of a later namespace
     * that reuses the number needs that pid reused too within the decode's delay.
     */
    private boolean inNamespace(int pid, long mntns) {
        return pid > 0 && number(proc, pid) == mntns;
    }

    /**
     * Strictly the same namespace: a stand-in is no relative of the task, so a number alone (reused
     * at once when a namespace is freed: the next container's) never makes it one.
     */
    private boolean sameNamespace(int pid, long mntns, long mntnsId) {
        if (mntnsId == 0 || number(proc, pid) != mntns) {
            return false;
        }
        OptionalLong id = ids.apply(pid);
        return id.isPresent() && id.getAsLong() == mntnsId;
    }

    /**
     * The host's root mount: init's "/" (this process's where init's table cannot be read, as the
     * kernel sensors' HostRoot falls back to ours); null when neither can. Read once.
     */
    MountTable.Mount hostRoot() {
        if (!hostRootRead) {
            hostRootRead = true;
            for (int pid : new int[] {INIT, SELF}) {
                try {
                    hostRoot = MountTable.parse(Files.readString(dir(pid).resolve("mountinfo"))).at("/");
                } catch (IOException | RuntimeException e) {
                    continue;  // unreadable here: the next
                }
                if (hostRoot != null) {
                    break;
                }
            }
        }
        return hostRoot;
    }

    private Path dir(int pid) {
        return proc.resolve(Integer.toString(pid));
    }

    /** The mount namespace number of proc/PID/ns/mnt ("mnt:[4026531841]"); -1 when gone or unreadable. */
    static long number(Path proc, int pid) {
        String link = PathDescriptors.readLink(proc.resolve(pid + "/ns/mnt").toString());
        if (link == null) {
            return -1;  // gone: common for a short task, so no exception per look
        }
        int open = link.indexOf('[');
        try {
            return open > 0 && link.endsWith("]") ? Long.parseLong(link.substring(open + 1, link.length() - 1)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
