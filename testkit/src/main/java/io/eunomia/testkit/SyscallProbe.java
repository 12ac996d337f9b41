package io.eunomia.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A static helper binary that makes exactly the system calls a test names (syscall-probe.c: raw
 * native calls, 32-bit calls through {@code int $0x80}, chown, exec, waiting for stdin), built
 * once per JVM with {@code gcc -static} so it also runs inside a busybox container.
 */
public final class SyscallProbe {
    private static Path binary;

    private SyscallProbe() {}

    /** The compiled probe (built on first use, deleted at JVM exit). */
    public static synchronized Path binary() {
        if (binary == null) {
            Path gcc = Binaries.require("gcc", "gcc");
            Path dir = Cleanup.newTempDir("probe");
            Cleanup.register(() -> Cleanup.unmountAndDelete(dir));
            Path src = dir.resolve("syscall-probe.c");
            try (InputStream in = SyscallProbe.class.getResourceAsStream("syscall-probe.c")) {
                if (in == null) {
                    throw new IllegalStateException("syscall-probe.c missing from the testkit jar");
                }
                Files.copy(in, src);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path out = dir.resolve("syscall-probe");
            Cmd.run(List.of(gcc.toString(), "-static", "-O1", "-o", out.toString(), src.toString()), Map.of(),
                    Duration.ofSeconds(60)).orThrow("gcc -static syscall-probe.c (Debian packages gcc, libc6-dev)");
            binary = out;
        }
        return binary;
    }
}
