package io.eunomia.libbpf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Files and directories of a root (a container's, as the host reaches it through /proc/PID/root or
 * its overlay; the host's is "/") looked up by the kernel inside that root ({@link PathDescriptors#openInRoot}:
 * openat2 RESOLVE_IN_ROOT): a symlink the container made, absolute or "..", resolves in its root,
 * never at the host's, so no host file is read, listed or stat'ed for it. What is found is handed on
 * through its descriptor (/proc/self/fd/N, valid for the call only), never by the path walked again,
 * and only when it has the type asked for: a FIFO would block a reader, a device such as /dev/zero
 * never ends.
 */
public final class RootLookup implements AutoCloseable {
    /** What the lookup found: its descriptor, and a path through it for java.nio. */
    public record Found(int fd) {
        public Path path() {
            return Path.of("/proc/self/fd/" + fd);
        }
    }

    /** What to do with a directory found. */
    @FunctionalInterface
    public interface InDirectory {
        void run(Found dir) throws IOException;
    }

    /** Reads the regular file found (through {@link Found#path()}); null reads as nothing. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Path file) throws IOException;
    }

    private static final int ATTEMPTS = 3;  // -EAGAIN: a rename or mount raced the lookup

    private final int root;

    private RootLookup(int root) {
        this.root = root;
    }

    /** The root opened (nothing is found below a root that cannot be opened: the task is gone). */
    public static RootLookup open(Path root) {
        return new RootLookup(PathDescriptors.openDirectory(root.toString()));
    }

    /** Whether the root could be opened (a task in the middle of its exit has no root any more). */
    public boolean opened() {
        return root >= 0;
    }

    /** {@link #readRegular(String, Reader)} below root, opened for this one look. */
    public static <T> Optional<T> readRegular(Path root, String path, Reader<T> reader) throws IOException {
        try (RootLookup in = open(root)) {
            return in.readRegular(path, reader);
        }
    }

    /**
     * reader's result for the regular file at path (a symlink on the way, the last component too,
     * followed inside the root); empty when the root could not be opened, there is no such file or
     * it is no regular file.
     */
    public <T> Optional<T> readRegular(String path, Reader<T> reader) throws IOException {
        var read = new Object() { Optional<T> value = Optional.empty(); };
        in(path, true, PathDescriptors.S_IFREG, file -> read.value = Optional.ofNullable(reader.read(file.path())));
        return read.value;
    }

    /**
     * As {@link #readRegular(String, Reader)}, the last component not followed: a symlink there is no
     * regular file (what lsetxattr wrote is the link's own attribute, not its target's).
     */
    public <T> Optional<T> readRegularNoFollow(String path, Reader<T> reader) throws IOException {
        var read = new Object() { Optional<T> value = Optional.empty(); };
        in(path, false, PathDescriptors.S_IFREG, file -> read.value = Optional.ofNullable(reader.read(file.path())));
        return read.value;
    }

    /**
     * Runs body on the directory at path when it is one: its last component not followed when a
     * symlink (as a NOFOLLOW stat), the components before it followed inside the root. Returns
     * whether it ran.
     */
    public boolean inDirectory(String path, InDirectory body) throws IOException {
        return in(path, false, PathDescriptors.S_IFDIR, body);
    }

    /** As {@link #inDirectory}, a symlink as the last component followed too (inside the root). */
    public boolean inDirectoryFollowing(String path, InDirectory body) throws IOException {
        return in(path, true, PathDescriptors.S_IFDIR, body);
    }

    private boolean in(String path, boolean follow, int type, InDirectory body) throws IOException {
        if (root < 0 || path.indexOf('\0') >= 0) {
            return false;  // a path with a NUL byte names no file
        }
        int fd = -Errno.EAGAIN;
        for (int i = 0; i < ATTEMPTS && fd == -Errno.EAGAIN; i++) {
            fd = follow ? PathDescriptors.openInRootFollowing(root, path) : PathDescriptors.openInRoot(root, path);
        }
        if (fd < 0) {
            return false;
        }
        try {
            if (PathDescriptors.fileType(fd) != type) {
                return false;
            }
            body.run(new Found(fd));
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
