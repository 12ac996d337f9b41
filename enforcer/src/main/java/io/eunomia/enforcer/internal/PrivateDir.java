package io.eunomia.enforcer.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory only we can enter (0700, under the system temp dir), deleted with its content on
 * close; symlinks inside are removed, never followed.
 */
public final class PrivateDir implements AutoCloseable {
    private final Path path;

    private PrivateDir(Path path) {
        this.path = path;
    }

    public static PrivateDir create(String prefix) throws IOException {
        return new PrivateDir(Files.createTempDirectory("eunomia-" + prefix + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            if (!Files.exists(path)) {
                return;
            }
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
