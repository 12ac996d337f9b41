package io.eunomia.bpf.internal;

import io.eunomia.libbpf.Errno;
import io.eunomia.libbpf.PathDescriptors;

/**
 * Whether an interpreter's script argument is a file it can run: a regular file (or a symlink,
 * which the interpreter follows) in the process's root. The root is opened once through
 * {@code /proc/PID/root} and the path looked up inside it by the kernel (openat2 RESOLVE_IN_ROOT):
 * a symlink on the way, absolute or "..", stays in the process's root, so a container cannot make
 * this look at the host's files. A process already gone cannot be asked (a short script ends
 * before its exec is decoded): its argument counts, since the options already said it names a file.
 */
final class ScriptFiles {
    private static final int ELOOP = 40;

    private ScriptFiles() {}

    static boolean isProgramFile(int pid, String path) {
        int root = PathDescriptors.openDirectory("/proc/" + pid + "/root");
        if (root < 0) {
            return true;  // gone
        }
        try {
            // Only a type check: the file is opened O_PATH, never read.
            int fd = PathDescriptors.openInRoot(root, path);
            if (fd == -Errno.ENOENT || fd == -20 /* ENOTDIR */) {
                return false;  // no such file (sh fails on it)
            }
            if (fd < 0) {
                // A magic link on the way (sh /dev/fd/3: -ELOOP), a rename racing the lookup
                // (-EAGAIN), no openat2: the argument names a file as far as can be told.
                return fd == -ELOOP || fd == -Errno.EAGAIN || fd == -Errno.ENOSYS || fd == -Errno.EACCES || fd == -Errno.EPERM;
            }
            try {
                int type = PathDescriptors.fileType(fd);
                return type == PathDescriptors.S_IFREG || type == PathDescriptors.S_IFLNK;
            } finally {
                PathDescriptors.close(fd);
            }
        } catch (IllegalArgumentException nul) {
            return false;
        } finally {
            PathDescriptors.close(root);
        }
    }
}
