package io.eunomia.engine.cli;

import io.eunomia.bpf.Compat32;
import io.eunomia.bpf.SensorOptions;
import picocli.CommandLine.Option;

/**
 * {@code --compat32=auto|on|off} (monitor, enforce, trace): whether the sensors watch 32-bit calls
 * through the dispatcher that costs every syscall. Not given: {@code -Deunomia.compat32}, else auto.
 */
public final class Compat32Option {
    @Option(names = "--compat32", paramLabel = "auto|on|off", converter = Converters.Compat32Mode.class,
            description = "Watch 32-bit calls (int $0x80 on x86_64, aarch32 on arm64), which skip the per-syscall hooks, "
                    + "through one dispatcher that costs every syscall: auto attaches it only where this kernel runs "
                    + "32-bit code (asked once at start), on always, off never. Default: -D" + Compat32.PROPERTY
                    + ", else auto.")
    Compat32 mode;

    /** The sensor options with this choice; unchanged (the property's, or auto) when the option was not given. */
    SensorOptions apply(SensorOptions options) {
        return mode == null ? options : options.withCompat32(mode);
    }
}
