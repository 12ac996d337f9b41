package io.eunomia.bpf;

import io.eunomia.libbpf.Errno;
import io.eunomia.libbpf.PathDescriptors;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Directories of a root (a container's, as the host reaches it through /proc/PID/root or its overlay)
 * looked up by the kernel inside that root (openat2 RESOLVE_IN_ROOT): a symlink the container made,
 * absolute or "..", resolves in its root, never at the host's, so no host file enters what is listed
 * or stat'ed for it. The host is the root "/". Each directory is handed on as a path through its
 * descriptor (/proc/self/fd/N), valid for the call only.
 */
final class RootLookup implements AutoCloseable {
    /** A directory found: its descriptor, and a path through it for java.nio. */
    record Dir(int fd) {
        Path path() {
            return Path.of("/proc/self/fd/" + fd);
        }
    }

    /** What to do with a directory found. */
    @FunctionalInterface
    interface InDirectory {
        void run(Dir dir) throws IOException;
    }

    private static final int ATTEMPTS = 3;  // -EAGAIN: a rename or mount raced the lookup

    private final int root;

    private RootLookup(int root) {
        this.root = root;
    }

    /** The root opened (nothing is found below a root that cannot be opened: the task is gone). */
    static RootLookup open(Path root) {
        return new RootLookup(PathDescriptors.openDirectory(root.toString()));
    }

    /**
     * Runs body on the directory at path when it is one: its last component not followed when a
     * symlink (as a NOFOLLOW stat), the components before it followed inside the root. Returns
     * whether it ran.
     */
    boolean inDirectory(String path, InDirectory body) throws IOException {
        return in(path, false, body);
    }

    /** As {@link #inDirectory}, a symlink as the last component followed too (inside the root). */
    boolean inDirectoryFollowing(String path, InDirectory body) throws IOException {
        return in(path, true, body);
    }

    private boolean in(String path, boolean follow, InDirectory body) throws IOException {
        if (root < 0 || path.indexOf('\0') >= 0) {
            return false;
        }
        int fd = -Errno.EAGAIN;
        for (int i = 0; i < ATTEMPTS && fd == -Errno.EAGAIN; i++) {
            fd = follow ? PathDescriptors.openInRootFollowing(root, path) : PathDescriptors.openInRoot(root, path);
        }
        if (fd < 0) {
            return false;
        }
        try {
            if (PathDescriptors.fileType(fd) != PathDescriptors.S_IFDIR) {
                return false;
            }
            body.run(new Dir(fd));
            return true;
        } finally {
            PathDescriptors.close(fd);
        }
    }

    @Override
    public void close() {
        if (root >= 0) {
            PathDescriptors.close(root);
        }
    }
}
