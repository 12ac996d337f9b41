package io.eunomia.testkit;

import java.nio.file.Path;

/**
 * A static helper binary that does a watched act the indirect way (evade.c: file, socket and
 * setuid calls through the 32-bit {@code int $0x80} ABI, execveat of an fd under another name),
 * for the evasion tests of the sensors and of the default rule pack.
 */
public final class EvasionProbe {
    private EvasionProbe() {}

    /** The compiled probe (built on first use, deleted at JVM exit). */
    public static Path binary() {
        return StaticPrograms.build("evade");
    }
}
