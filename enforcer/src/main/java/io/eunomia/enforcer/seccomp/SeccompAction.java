package io.eunomia.enforcer.seccomp;

import java.util.Optional;

/**
 * What a seccomp rule (or the profile's default) does with a call: the {@code SCMP_ACT_*} names of
 * moby/OCI profiles. {@link #KILL} is libseccomp's old name of {@link #KILL_THREAD}.
 */
public enum SeccompAction {
    ALLOW, LOG, ERRNO, TRACE, TRAP, NOTIFY, KILL_THREAD, KILL, KILL_PROCESS;

    private static final String PREFIX = "SCMP_ACT_";

    /** {@code SCMP_ACT_ALLOW}. */
    public String jsonName() {
        return PREFIX + name();
    }

    /** Whether the action takes a number ({@code errnoRet}): the errno of ERRNO, the message of TRACE. */
    public boolean takesErrno() {
        return this == ERRNO || this == TRACE;
    }

    /** Whether the call runs (allowed, maybe logged). */
    public boolean runsCall() {
        return this == ALLOW || this == LOG;
    }

    public static Optional<SeccompAction> parse(String json) {
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
