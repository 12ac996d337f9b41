package io.eunomia.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The testkit's C helpers (NAME.c resources), each built once per JVM with {@code gcc -static} so
 * it also runs inside a busybox container; deleted at JVM exit.
 */
final class StaticPrograms {
    private static final Map<String, Path> BUILT = new HashMap<>();

    private StaticPrograms() {}

    static synchronized Path build(String name) {
        Path done = BUILT.get(name);
        if (done != null) {
            return done;
        }
        Path gcc = Binaries.require("gcc", "gcc");
        Path dir = Cleanup.newTempDir(name);
        Cleanup.register(() -> Cleanup.unmountAndDelete(dir));
        Path src = dir.resolve(name + ".c");
        try (InputStream in = StaticPrograms.class.getResourceAsStream(name + ".c")) {
            if (in == null) {
                throw new IllegalStateException(name + ".c missing from the testkit jar");
            }
            Files.copy(in, src);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path out = dir.resolve(name);
        Cmd.run(List.of(gcc.toString(), "-static", "-O1", "-o", out.toString(), src.toString()), Map.of(),
                Duration.ofSeconds(60)).orThrow("gcc -static " + name + ".c (Debian packages gcc, libc6-dev)");
        BUILT.put(name, out);
        return out;
    }
}
