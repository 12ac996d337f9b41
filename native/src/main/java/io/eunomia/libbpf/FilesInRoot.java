package io.eunomia.libbpf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reading a regular file of another task's root (a container's, through /proc/PID/root) without
 * leaving that root: the kernel looks the path up inside it ({@link PathDescriptors#openInRoot}: an
 * absolute symlink or ".." in the container cannot reach the host's files; a symlink is followed
 * inside it, the last component too), and only a regular file
 * is handed on (a FIFO would block the reader, a device such as /dev/zero never ends). The reader gets
 * the file the lookup found, reopened through its descriptor, never the path walked again.
 */
public final class FilesInRoot {
    /** Reads the file at {@code file} (a /proc/self/fd/N path valid only during the call). */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Path file) throws IOException;
    }

    private FilesInRoot() {}

    /**
     * reader's result for the regular file at path below root, or empty when root cannot be
     * opened (the task is gone), there is no such file, or it is not a regular file.
     */
    public static <T> Optional<T> readRegular(Path root, String path, Reader<T> reader) throws IOException {
        int rootFd = PathDescriptors.openDirectory(root.toString());
        if (rootFd < 0) {
            return Optional.empty();
        }
        try {
            int fd = PathDescriptors.openInRootFollowing(rootFd, path);
            if (fd < 0) {
                return Optional.empty();
            }
            try {
                if (PathDescriptors.fileType(fd) != PathDescriptors.S_IFREG) {
                    return Optional.empty();
                }
                return Optional.ofNullable(reader.read(Path.of("/proc/self/fd/" + fd)));
            } finally {
                PathDescriptors.close(fd);
            }
        } catch (IllegalArgumentException nul) {
            return Optional.empty();  // a path with a NUL byte names no file
        } finally {
            PathDescriptors.close(rootFd);
        }
    }
}
