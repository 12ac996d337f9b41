package io.eunomia.rules;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Rule priorities, most severe first (syslog's levels, as Falco uses them). */
public enum Priority {
    EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG;

    /** Accepts any case and INFO for INFORMATIONAL. */
    public static Optional<Priority> parse(String s) {
        String n = s.strip().toUpperCase(Locale.ROOT);
        if (n.equals("INFO")) {
            return Optional.of(INFORMATIONAL);
        }
        return Arrays.stream(values()).filter(p -> p.name().equals(n)).findFirst();
    }

    /** Alertmanager severity: emergency/alert/critical → critical; error/warning → warning; else info. */
    public String severity() {
        return switch (this) {
            case EMERGENCY, ALERT, CRITICAL -> "critical";
            case ERROR, WARNING -> "warning";
            case NOTICE, INFORMATIONAL, DEBUG -> "info";
        };
    }
}
