package io.eunomia.event;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Kinds of events, named as on the command line ({@code --type exec,file}). */
public enum EventType {
    EXEC, EXIT, FORK, FILE, NET, CAP, SYSCALL;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<EventType> parse(String s) {
        return Arrays.stream(values()).filter(t -> t.cliName().equalsIgnoreCase(s.strip())).findFirst();
    }
}
