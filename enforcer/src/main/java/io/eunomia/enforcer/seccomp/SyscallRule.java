package io.eunomia.enforcer.seccomp;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * One entry of a profile's {@code syscalls}: what happens to these calls, maybe only when their
 * arguments match ({@code args}, all must hold) and only for some containers and hosts
 * ({@code includes}/{@code excludes}, moby profiles only).
 *
 * @param errnoRet the errno of {@link SeccompAction#ERRNO} (the message of TRACE); absent means
 *                 the runtime's default (EPERM for runc and crun)
 * @param comment  free text (moby), "" when none
 */
public record SyscallRule(List<String> names, SeccompAction action, OptionalInt errnoRet, List<ArgCondition> args,
                          String comment, RuleCondition includes, RuleCondition excludes) {
    /**
     * The order rules are written in: by action (ALLOW, LOG, ERRNO, ...) and errno, unconditional
     * before argument tests before container conditions, then by arguments and first name.
     */
    public static final Comparator<SyscallRule> CANONICAL_ORDER = Comparator
            .comparing(SyscallRule::action)
            .thenComparingInt(r -> r.decision().effectiveErrno())
            .thenComparing(r -> !r.args().isEmpty())
            .thenComparing(SyscallRule::hasConditions)
            .thenComparing(SyscallRule::argsKey)
            .thenComparing(r -> conditionKey(r.includes()) + "|" + conditionKey(r.excludes()))
            .thenComparing(r -> r.names().getFirst());

    public SyscallRule {
        names = List.copyOf(names);
        args = List.copyOf(args);
        comment = comment == null ? "" : comment;
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a rule needs at least one syscall name");
        }
    }

    /** An unconditional rule. */
    public static SyscallRule of(List<String> names, SeccompAction action) {
        return new SyscallRule(names, action, OptionalInt.empty(), List.of(), "", RuleCondition.NONE, RuleCondition.NONE);
    }

    public static SyscallRule errno(List<String> names, int errno) {
        return new SyscallRule(names, SeccompAction.ERRNO, OptionalInt.of(errno), List.of(), "", RuleCondition.NONE,
                RuleCondition.NONE);
    }

    /** What the rule does when it matches. */
    public Decision decision() {
        return new Decision(action, errnoRet);
    }

    public boolean hasConditions() {
        return !includes.isEmpty() || !excludes.isEmpty();
    }

    public SyscallRule withNames(List<String> newNames) {
        return new SyscallRule(newNames, action, errnoRet, args, comment, includes, excludes);
    }

    public SyscallRule withArgs(List<ArgCondition> newArgs) {
        return new SyscallRule(names, action, errnoRet, newArgs, comment, includes, excludes);
    }

    public SyscallRule withComment(String newComment) {
        return new SyscallRule(names, action, errnoRet, args, newComment, includes, excludes);
    }

    public SyscallRule withIncludes(RuleCondition newIncludes) {
        return new SyscallRule(names, action, errnoRet, args, comment, newIncludes, excludes);
    }

    public SyscallRule withExcludes(RuleCondition newExcludes) {
        return new SyscallRule(names, action, errnoRet, args, comment, includes, newExcludes);
    }

    /** Names sorted and once each; args sorted; conditions normalized. Same meaning. */
    public SyscallRule normalized() {
        return new SyscallRule(names.stream().distinct().sorted().toList(), action, errnoRet,
                args.stream().distinct().sorted().toList(), comment, includes.normalized(), excludes.normalized());
    }

    private static String argsKey(SyscallRule r) {
        StringBuilder b = new StringBuilder();
        for (ArgCondition c : r.args()) {
            b.append(c.index()).append(c.op().ordinal()).append(String.format("%016x%016x", c.value(), c.valueTwo()));
        }
        return b.toString();
    }

    private static String conditionKey(RuleCondition c) {
        return c.caps() + ";" + c.arches() + ";" + c.minKernel().map(Objects::toString).orElse("");
    }

    /** "allow socket if arg0 == 2": for people. */
    public String describeArgs() {
        return args.stream().map(ArgCondition::describe).collect(Collectors.joining(" and "));
    }
}
