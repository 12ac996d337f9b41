package io.eunomia.event;

/** What a process did outside its container's learned profile (enum violation_kind of events.h, by ordinal). */
public enum ViolationKind {
    /** A system call the profile does not hold (native or 32-bit). */
    SYSCALL,
    /** A capability check the profile does not expect. */
    CAPABILITY,
    /** An exec of a file the profile does not list. */
    EXEC;

    /** The name used on the command line ({@code --kill syscall,exec,cap}) and in metrics. */
    public String cliName() {
        return this == CAPABILITY ? "cap" : name().toLowerCase(java.util.Locale.ROOT);
    }

    public static java.util.Optional<ViolationKind> parse(String s) {
        String t = s.strip().toLowerCase(java.util.Locale.ROOT);
        for (ViolationKind k : values()) {
            if (k.cliName().equals(t) || k.name().toLowerCase(java.util.Locale.ROOT).equals(t)) {
                return java.util.Optional.of(k);
            }
        }
        return java.util.Optional.empty();
    }
}
