package io.eunomia.enforcer.seccomp;

import java.util.Optional;

/** How a rule compares a syscall argument: the {@code SCMP_CMP_*} operators (unsigned 64-bit). */
public enum ArgOp {
    NE, LT, LE, EQ, GE, GT, MASKED_EQ;

    private static final String PREFIX = "SCMP_CMP_";

    public String jsonName() {
        return PREFIX + name();
    }

    public static Optional<ArgOp> parse(String json) {
        if (json == null || !json.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(json.substring(PREFIX.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
