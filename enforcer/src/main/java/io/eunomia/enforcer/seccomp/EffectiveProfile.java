package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A profile as one container on one host gets it (no includes/excludes left): what the OCI runtime
 * is given, and what each syscall of the host architecture will meet.
 *
 * @param architectures the architectures the filter covers (empty = native only)
 * @param rules         unconditional in the moby sense; they may still test arguments
 */
public record EffectiveProfile(Arch arch, Decision defaultDecision, List<String> architectures, List<SyscallRule> rules,
                               List<String> flags, String listenerPath, String listenerMetadata) {
    public EffectiveProfile {
        architectures = List.copyOf(architectures);
        rules = List.copyOf(rules);
        flags = List.copyOf(flags);
    }

    /**
     * What a call meets: a decision whatever its arguments ({@code always}), or rules that decide
     * only when the arguments match, the rest falling to {@code otherwise}.
     *
     * @param always      the decision of a rule without argument tests, when there is one
     * @param conditional rules that test arguments (ignored when {@code always} is present: the
     *                    generic rule makes them redundant, as libseccomp merges them)
     * @param otherwise   the default, for calls no rule matches
     */
    public record Outcome(String name, Decision always, List<SyscallRule> conditional, Decision otherwise) {
        public Outcome {
            conditional = conditional.stream().map(SyscallRule::normalized).distinct().sorted(SyscallRule.CANONICAL_ORDER)
                    .toList();
        }

        /** Whether the call is allowed to run (ALLOW or LOG) whatever its arguments. */
        public boolean alwaysRuns() {
            return always != null ? always.action().runsCall()
                    : conditional.isEmpty() && otherwise.action().runsCall();
        }

        /** Whether some arguments let the call run. */
        public boolean mayRun() {
            if (always != null) {
                return always.action().runsCall();
            }
            return otherwise.action().runsCall() || conditional.stream().anyMatch(r -> r.action().runsCall());
        }

        /** Explicitly ALLOWed (unconditionally or for some arguments), not merely logged or defaulted. */
        public boolean allowed() {
            if (always != null) {
                return always.action() == SeccompAction.ALLOW;
            }
            return conditional.stream().anyMatch(r -> r.action() == SeccompAction.ALLOW)
                    || otherwise.action() == SeccompAction.ALLOW;
        }

        public boolean argumentDependent() {
            return always == null && !conditional.isEmpty();
        }

        /**
         * What happens to the call with these argument values. When rules with different decisions
         * match, the most restrictive wins (the kernel's order: KILL_PROCESS, KILL_THREAD, TRAP,
         * ERRNO, NOTIFY, TRACE, LOG, ALLOW), so the answer never depends on rule order.
         */
        public Decision decide(long[] args) {
            if (always != null) {
                return always;
            }
            Decision chosen = null;
            for (SyscallRule r : conditional) {
                if (r.args().stream().allMatch(c -> c.index() < args.length && c.test(args[c.index()]))) {
                    if (chosen == null || severity(r.action()) > severity(chosen.action())) {
                        chosen = r.decision();
                    }
                }
            }
            return chosen != null ? chosen : otherwise;
        }

        private static int severity(SeccompAction a) {
            return switch (a) {
                case ALLOW -> 0;
                case LOG -> 1;
                case TRACE -> 2;
                case NOTIFY -> 3;
                case ERRNO -> 4;
                case TRAP -> 5;
                case KILL_THREAD, KILL -> 6;
                case KILL_PROCESS -> 7;
            };
        }

        /** "ALLOW", "ERRNO(EPERM)", "ALLOW if arg0 == 2 | ALLOW if arg0 == 10, else ERRNO(EPERM)". */
        public String describe() {
            if (always != null) {
                return always.describe();
            }
            if (conditional.isEmpty()) {
                return otherwise.describe();
            }
            List<String> parts = new ArrayList<>();
            for (SyscallRule r : conditional) {
                parts.add(r.decision().describe() + " if " + r.describeArgs());
            }
            return String.join(" | ", parts) + ", else " + otherwise.describe();
        }
    }

    /** What the call named {@code name} meets. */
    public Outcome outcome(String name) {
        Decision always = null;
        List<SyscallRule> conditional = new ArrayList<>();
        for (SyscallRule r : rules) {
            if (!r.names().contains(name)) {
                continue;
            }
            if (r.args().isEmpty()) {
                if (always == null) {
                    always = r.decision();
                }
            } else {
                conditional.add(r.withNames(List.of(name)));
            }
        }
        return new Outcome(name, always, always != null ? List.of() : conditional, defaultDecision);
    }

    /** Every call of the host architecture with what it meets, in number order. */
    public Map<String, Outcome> outcomes() {
        Map<String, Outcome> out = new LinkedHashMap<>();
        for (String name : SyscallTable.of(arch).names()) {
            out.put(name, outcome(name));
        }
        return out;
    }

    /** Names of the host architecture that are explicitly allowed (some arguments at least). */
    public Set<String> allowedNames() {
        Set<String> out = new TreeSet<>();
        outcomes().forEach((n, o) -> {
            if (o.allowed()) {
                out.add(n);
            }
        });
        return out;
    }

    /**
     * Names given the same call two different unconditional decisions (e.g. ALLOW and
     * ERRNO): libseccomp refuses such a filter, so the container would not start.
     */
    public Map<String, List<Decision>> conflicts() {
        Map<String, List<Decision>> seen = new LinkedHashMap<>();
        for (SyscallRule r : rules) {
            if (!r.args().isEmpty()) {
                continue;
            }
            for (String n : r.names()) {
                List<Decision> ds = seen.computeIfAbsent(n, k -> new ArrayList<>());
                if (ds.stream().noneMatch(d -> d.sameAs(r.decision()))) {
                    ds.add(r.decision());
                }
            }
        }
        seen.values().removeIf(ds -> ds.size() < 2);
        return seen;
    }

    /** As a profile without conditions (the OCI {@code linux.seccomp} object's content). */
    public SeccompProfile asProfile() {
        return new SeccompProfile(defaultDecision.action(), defaultDecision.errnoRet(), architectures, List.of(), rules,
                flags, listenerPath, listenerMetadata);
    }
}
