package io.eunomia.testkit;

import java.nio.file.Path;

/**
 * A static helper binary that makes exactly the system calls a test names (syscall-probe.c: raw
 * native calls, 32-bit calls through {@code int $0x80}, chown, exec, waiting for stdin), built
 * once per JVM with {@code gcc -static} so it also runs inside a busybox container.
 */
public final class SyscallProbe {
    private SyscallProbe() {}

    /** The compiled probe (built on first use, deleted at JVM exit). */
    public static Path binary() {
        return StaticPrograms.build("syscall-probe");
    }
}
