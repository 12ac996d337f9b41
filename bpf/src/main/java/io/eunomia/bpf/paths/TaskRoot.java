package io.eunomia.bpf.paths;

import io.eunomia.libbpf.PathDescriptors;

/**
 * A task's root directory as the kernel names it (task->fs->root, a chroot's own, not its mount
 * namespace's): the device of its file system in the kernel's encoding (major << 20 | minor, as
 * super_block.s_dev holds it) and its inode. What a path call's text means is a walk below it.
 *
 * @param kernelDev 0 with ino 0: not known ({@link #UNKNOWN}), any root is taken
 */
public record TaskRoot(long kernelDev, long ino) {
    public static final TaskRoot UNKNOWN = new TaskRoot(0, 0);

    public boolean known() {
        return kernelDev != 0 || ino != 0;
    }

    /** The directory open at fd (a /proc/PID/root opened: that process's root); UNKNOWN when unreadable. */
    static TaskRoot ofDescriptor(int fd) {
        PathDescriptors.Stat s = fd < 0 ? null : PathDescriptors.statOf(fd);
        return s == null ? UNKNOWN : new TaskRoot(s.kernelDev(), s.ino());
    }

    /** The root of the process whose /proc directory is task; UNKNOWN when it is gone or unreadable. */
    static TaskRoot of(java.nio.file.Path task) {
        int fd = PathDescriptors.openDirectory(task.resolve("root").toString());
        try {
            return ofDescriptor(fd);
        } finally {
            PathDescriptors.close(fd);
        }
    }
}
