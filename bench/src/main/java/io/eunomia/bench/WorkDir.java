package io.eunomia.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** A temporary directory of a bench part (monitor rule caches, generated files), removed with all it holds. */
record WorkDir(Path path) implements AutoCloseable {
    static WorkDir create(String prefix) throws IOException {
        return new WorkDir(Files.createTempDirectory(prefix));
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
