package io.eunomia.bpf;

import java.util.Locale;

/**
 * Whether to watch 32-bit calls ({@code int $0x80} on x86_64, aarch32 on arm64) through the shared
 * dispatcher, which costs every syscall of every task (bench/README.md, issue 15). Operators choose
 * with {@code --compat32=auto|on|off} (monitor, enforce, trace), else {@code -Deunomia.compat32=auto|on|off}
 * (also tests, benchmarks); {@link Compat32Watch} turns the choice
 * into a decision for this kernel.
 */
public enum Compat32 {
    /** Watch them where 32-bit code can run: on x86_64 the kernel is asked once (Ia32Probe). */
    AUTO,
    /** Always watch them (tests of the dispatcher on kernels that run no 32-bit code). */
    ON,
    /** Never: the sensors see no 32-bit call (learn mode's own syscall counter sees them anyway). */
    OFF;

    public static final String PROPERTY = "eunomia.compat32";

    /** The operator's choice from {@value #PROPERTY}; auto when unset. */
    public static Compat32 fromSystemProperty() {
        String v = System.getProperty(PROPERTY);
        return v == null ? AUTO : parse(v, "-D" + PROPERTY);
    }

    /** @param where what to name in the error (the property, the option) */
    public static Compat32 parse(String value, String where) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "on", "true" -> ON;
            case "off", "false" -> OFF;
            default -> throw new IllegalArgumentException(where + ": '" + value + "' is not one of auto, on, off");
        };
    }
}
