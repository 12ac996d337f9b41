package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Errno;
import java.util.OptionalInt;

/**
 * What the filter does with a call: an action and, for ERRNO/TRACE, its number. Two decisions are
 * the same when the kernel would answer the same: an ERRNO without a number is EPERM (what runc
 * and crun use then).
 */
public record Decision(SeccompAction action, OptionalInt errnoRet) {
    public static final Decision ALLOW = new Decision(SeccompAction.ALLOW, OptionalInt.empty());

    public static Decision errno(int errno) {
        return new Decision(SeccompAction.ERRNO, OptionalInt.of(errno));
    }

    /** The number the kernel returns for ERRNO/TRACE, EPERM when none is given; 0 for other actions. */
    public int effectiveErrno() {
        return action.takesErrno() ? errnoRet.orElse(Errno.EPERM) : 0;
    }

    /** Same effect (action and errno). */
    public boolean sameAs(Decision o) {
        return action == o.action && effectiveErrno() == o.effectiveErrno();
    }

    /** "ERRNO(EPERM)", "ALLOW", "LOG". */
    public String describe() {
        return action.takesErrno() ? action.name() + "(" + Errno.name(effectiveErrno()) + ")" : action.name();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Decision d && sameAs(d);
    }

    @Override
    public int hashCode() {
        return action.hashCode() * 31 + effectiveErrno();
    }
}
