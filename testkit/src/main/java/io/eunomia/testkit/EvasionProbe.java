package io.eunomia.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A static helper binary that does a watched act the indirect way (evade.c: file, socket and
 * setuid calls through the 32-bit {@code int $0x80} ABI, execveat of an fd under another name),
 * for the evasion tests of the sensors and of the default rule pack.
 */
public final class EvasionProbe {
    private EvasionProbe() {}

    private static Optional<String> ia32Missing;

    /** The compiled probe (built on first use, deleted at JVM exit). */
    public static Path binary() {
        return StaticPrograms.build("evade");
    }

    /**
     * Why this kernel runs no 32-bit (ia32) calls, when it does not: a kernel booted with
     * ia32_emulation=off, or under a hypervisor that leaves it off (PVM: "32-bit emulation disabled"
     * in dmesg), answers int $0x80 with a general protection fault (SIGSEGV) and refuses 32-bit ELF
     * files, so no program can make such a call and there is nothing to watch or test.
     */
    public static synchronized Optional<String> ia32Unavailable() {
        if (ia32Missing == null) {
            ia32Missing = probeIa32();
        }
        return ia32Missing;
    }

    private static Optional<String> probeIa32() {
        try {
            Process p = new ProcessBuilder(binary().toString(), "probe32").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("evade probe32 did not finish");
            }
            if (p.exitValue() == 0) {
                return Optional.empty();
            }
            return Optional.of("this kernel runs no 32-bit calls: int $0x80 ended the probe with status " + p.exitValue()
                    + " (128+11 = SIGSEGV: ia32 emulation is off, see dmesg '32-bit emulation disabled') " + out.strip());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run evade probe32", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
