package io.eunomia.enforcer.kernel;

import java.util.Locale;
import java.util.Optional;

/** What happens at a violation of a learned profile. */
public enum EnforcementMode {
    /** Reported only. */
    MONITOR,
    /** Reported, and the process is killed for the kinds asked for (the offending call still runs). */
    ENFORCE;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<EnforcementMode> parse(String s) {
        for (EnforcementMode m : values()) {
            if (m.cliName().equalsIgnoreCase(s.strip())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
