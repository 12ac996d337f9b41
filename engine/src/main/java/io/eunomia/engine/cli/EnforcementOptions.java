package io.eunomia.engine.cli;

import io.eunomia.enforcer.kernel.EnforcementMode;
import io.eunomia.enforcer.kernel.ProfileEnforcer;
import io.eunomia.event.ViolationKind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** How learned profiles are enforced: {@code --mode}, {@code --kill}, {@code --update} (monitor and enforce). */
public final class EnforcementOptions {
    @Option(names = "--mode", paramLabel = "monitor|enforce",
            description = "With profiles: monitor reports violations; enforce also kills the process (see --kill). "
                    + "The call that triggers a kill still runs: denying calls is the seccomp profile's job.")
    String mode;

    @Option(names = "--kill", split = ",", paramLabel = "KIND",
            description = "Enforce mode: the violations that kill, any of syscall,exec,cap (default: all three).")
    List<String> kill = new ArrayList<>();

    @Option(names = "--update",
            description = "Monitor mode: write each violation into its profile file (atomically), accepting it from then on.")
    boolean update;

    boolean modeGiven() {
        return mode != null;
    }

    /** The settings, or a usage error naming what is wrong. */
    ProfileEnforcer.Settings settings(CommandSpec spec) {
        EnforcementMode m = mode == null ? EnforcementMode.MONITOR : EnforcementMode.parse(mode).orElseThrow(() ->
                new ParameterException(spec.commandLine(), "--mode must be monitor or enforce, not '" + mode + "'"));
        EnumSet<ViolationKind> kinds = EnumSet.noneOf(ViolationKind.class);
        for (String k : kill) {
            kinds.add(ViolationKind.parse(k).orElseThrow(() -> new ParameterException(spec.commandLine(),
                    "--kill takes syscall, exec and cap, not '" + k + "'")));
        }
        if (!kinds.isEmpty() && m != EnforcementMode.ENFORCE) {
            throw new ParameterException(spec.commandLine(), "--kill needs --mode enforce (monitor mode only reports)");
        }
        if (update && m != EnforcementMode.MONITOR) {
            throw new ParameterException(spec.commandLine(),
                    "--update accepts violations into profiles in monitor mode only; drop it or use --mode monitor");
        }
        if (m == EnforcementMode.ENFORCE && kinds.isEmpty()) {
            kinds = EnumSet.allOf(ViolationKind.class);
        }
        return new ProfileEnforcer.Settings(m, kinds, update);
    }

    /** Whether any of these options was given (they need profiles). */
    boolean anyGiven() {
        return mode != null || !kill.isEmpty() || update;
    }
}
