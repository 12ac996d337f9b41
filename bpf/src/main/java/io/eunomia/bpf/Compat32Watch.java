package io.eunomia.bpf;

import io.eunomia.abi.Arch;
import io.eunomia.bpf.internal.Ia32Probe;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * Whether the 32-bit call dispatcher is attached, and why (start-up log, status, metrics).
 *
 * @param watched whether sensors with compat programs get them attached through the dispatcher
 * @param reason  one line for operators
 */
public record Compat32Watch(boolean watched, String reason) {
    private static final System.Logger LOG = System.getLogger(Compat32Watch.class.getName());
    /** Where the probe program is written and run (a fresh 0700 directory, removed after); tmp may be noexec. */
    public static final String RUN_DIR_PROPERTY = "eunomia.runDir";
    private static final Path DEFAULT_RUN_DIR = Path.of("/run/eunomia");
    /** The kernel's answer does not change while we run: asked once per process. */
    private static Ia32Probe.Answer probed;

    /** The decision for this kernel under {@code mode}. */
    public static Compat32Watch decide(Compat32 mode) {
        return switch (mode) {
            case ON -> new Compat32Watch(true, "watched (forced on: --compat32=on or -D" + Compat32.PROPERTY + "=on)");
            case OFF -> new Compat32Watch(false, "not watched (--compat32=off, -D" + Compat32.PROPERTY + "=off or off for this run)");
            case AUTO -> auto();
        };
    }

    private static Compat32Watch auto() {
        if (Arch.current() != Arch.X86_64) {
            // aarch32 on arm64: no probe (yet); the dispatcher stays, as before.
            return new Compat32Watch(true, "watched (no probe on " + Arch.current().id() + ")");
        }
        Ia32Probe.Answer a = probe();
        return switch (a.verdict()) {
            case RUNS -> new Compat32Watch(true, "watched (this kernel runs 32-bit code: " + a.detail() + ")");
            case REFUSED -> new Compat32Watch(false, "not watched: this kernel runs no 32-bit code (" + a.detail() + ")");
            case UNKNOWN -> new Compat32Watch(true, "watched (the probe could not tell: " + a.detail() + ")");
        };
    }

    private static synchronized Ia32Probe.Answer probe() {
        if (probed == null) {
            String dir = System.getProperty(RUN_DIR_PROPERTY);
            probed = Ia32Probe.run(dir == null ? DEFAULT_RUN_DIR : Path.of(dir), true);
            if (probed.verdict() == Ia32Probe.Verdict.UNKNOWN) {
                LOG.log(Level.WARNING, "32-bit calls stay watched (costs every syscall): " + probed.detail());
            }
        }
        return probed;
    }

    /** The line for logs and status: "32-bit calls: ...". */
    @Override
    public String toString() {
        return "32-bit calls: " + reason;
    }
}
