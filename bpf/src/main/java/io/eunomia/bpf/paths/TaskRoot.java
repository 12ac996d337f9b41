package io.eunomia.bpf.paths;

import io.eunomia.libbpf.PathDescriptors;

/**
 * A task's root directory as the kernel names it (task->fs->root, a chroot's own, not its mount
 * namespace's): the id of its mount (the unique 64-bit one on 6.8+, as statx STATX_MNT_ID_UNIQUE
 * reports it) and its inode. Not the device: statx's stx_dev on btrfs is a subvolume's anonymous
 * device, not the s_dev the kernel side reads, and every subvolume root is inode 256. What a path
 * call's text means is a walk below it.
 *
 * @param mountId 0 with ino 0: not known ({@link #UNKNOWN}), any root is taken
 */
public record TaskRoot(long mountId, long ino) {
    public static final TaskRoot UNKNOWN = new TaskRoot(0, 0);

    public boolean known() {
        return mountId != 0 || ino != 0;
    }

    /** The directory open at fd (a /proc/PID/root opened: that process's root); UNKNOWN when unreadable. */
    static TaskRoot ofDescriptor(int fd) {
        PathDescriptors.Mounted m = fd < 0 ? null : PathDescriptors.mountedOf(fd);
        return m == null ? UNKNOWN : new TaskRoot(m.mountId(), m.ino());
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
