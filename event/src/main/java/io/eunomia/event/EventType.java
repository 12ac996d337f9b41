package io.eunomia.event;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Kinds of events, named as on the command line ({@code --type exec,file}). */
public enum EventType {
    EXEC, EXIT, FORK, FILE, NET, CAP, SYSCALL,
    /** A step outside a container's learned profile (only while profiles are enforced). */
    VIOLATION;

    /** The record class of events of this type. */
    public Class<? extends Event> recordClass() {
        return switch (this) {
            case EXEC -> ExecEvent.class;
            case EXIT -> ExitEvent.class;
            case FORK -> ForkEvent.class;
            case FILE -> FileEvent.class;
            case NET -> NetEvent.class;
            case CAP -> CapEvent.class;
            case SYSCALL -> SyscallEvent.class;
            case VIOLATION -> ViolationEvent.class;
        };
    }

    /** The type whose record class this is. */
    public static Optional<EventType> ofRecordClass(Class<?> c) {
        return Arrays.stream(values()).filter(t -> t.recordClass() == c).findFirst();
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<EventType> parse(String s) {
        return Arrays.stream(values()).filter(t -> t.cliName().equalsIgnoreCase(s.strip())).findFirst();
    }
}
