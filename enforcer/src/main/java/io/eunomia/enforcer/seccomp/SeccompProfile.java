package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A seccomp profile as Docker, podman and the OCI runtime spec write it (the moby JSON format, a
 * superset of OCI's {@code linux.seccomp}): a default decision, the architectures the filter
 * covers, and rules. Moby rules may be conditional ({@code includes}/{@code excludes}); the OCI form
 * is what remains after {@link #evaluate evaluation} for one container on one host.
 *
 * @param defaultErrnoRet  errno of a default ERRNO action; absent = the runtime's default (EPERM)
 * @param architectures    {@code SCMP_ARCH_*} names; empty = the runtime's native architecture only
 * @param archMap          moby: per host architecture, the sub-architectures also covered
 * @param flags            {@code SECCOMP_FILTER_FLAG_*} names
 * @param listenerPath     unix socket of a user-notification agent, "" when none
 * @param listenerMetadata opaque data for that agent, "" when none
 */
public record SeccompProfile(SeccompAction defaultAction, OptionalInt defaultErrnoRet, List<String> architectures,
                             List<ArchMapping> archMap, List<SyscallRule> syscalls, List<String> flags,
                             String listenerPath, String listenerMetadata) {
    public SeccompProfile {
        architectures = List.copyOf(architectures);
        archMap = List.copyOf(archMap);
        syscalls = List.copyOf(syscalls);
        flags = List.copyOf(flags);
        listenerPath = listenerPath == null ? "" : listenerPath;
        listenerMetadata = listenerMetadata == null ? "" : listenerMetadata;
    }

    public static SeccompProfile of(Decision defaultDecision, List<String> architectures, List<SyscallRule> rules) {
        return new SeccompProfile(defaultDecision.action(), defaultDecision.errnoRet(), architectures, List.of(), rules,
                List.of(), "", "");
    }

    public Decision defaultDecision() {
        return new Decision(defaultAction, defaultErrnoRet);
    }

    public SeccompProfile withSyscalls(List<SyscallRule> rules) {
        return new SeccompProfile(defaultAction, defaultErrnoRet, architectures, archMap, rules, flags, listenerPath,
                listenerMetadata);
    }

    public SeccompProfile withArchitectures(List<String> arches, List<ArchMapping> map) {
        return new SeccompProfile(defaultAction, defaultErrnoRet, arches, map, syscalls, flags, listenerPath,
                listenerMetadata);
    }

    /** Whether any rule has includes/excludes (then only a moby-aware engine can apply it as is). */
    public boolean hasConditionalRules() {
        return syscalls.stream().anyMatch(SyscallRule::hasConditions);
    }

    /**
     * Every architecture the profile names ({@code architectures}, each {@code archMap} entry and
     * its sub-architectures), in order, once each.
     */
    public Set<String> allArchitectures() {
        Set<String> out = new LinkedHashSet<>(architectures);
        for (ArchMapping m : archMap) {
            out.add(m.architecture());
            out.addAll(m.subArchitectures());
        }
        return out;
    }

    /**
     * The architectures the filter covers on a host of {@code host}: {@code architectures}, or the
     * archMap entry of the host with its sub-architectures (as Docker expands it); empty = native only.
     */
    public List<String> architecturesOn(Arch host) {
        List<String> out = new ArrayList<>(architectures);
        for (ArchMapping m : archMap) {
            if (m.architecture().equals(host.seccompName())) {
                out.add(m.architecture());
                out.addAll(m.subArchitectures());
                break;
            }
        }
        return out;
    }

    /**
     * The profile one container gets on one host, as Docker and podman compute it: rules whose
     * includes/excludes do not hold are dropped, the archMap becomes an architecture list, and rules
     * whose decision is the default's are dropped (libseccomp refuses them; runtimes skip them).
     *
     * @param host     the host's (native) architecture
     * @param bounding the container's bounding capability set
     * @param kernel   the host kernel's version
     */
    public EffectiveProfile evaluate(Arch host, Set<Capability> bounding, KernelVersion kernel) {
        String shortArch = SeccompArches.shortName(host);
        List<SyscallRule> kept = new ArrayList<>();
        for (SyscallRule r : syscalls) {
            if (!r.excludes().isEmpty() && r.excludes().excludes(shortArch, bounding, kernel)) {
                continue;
            }
            if (!r.includes().isEmpty() && !r.includes().includes(shortArch, bounding, kernel)) {
                continue;
            }
            if (r.decision().sameAs(defaultDecision())) {
                continue;
            }
            kept.add(new SyscallRule(r.names(), r.action(), r.errnoRet(), r.args(), "", RuleCondition.NONE,
                    RuleCondition.NONE));
        }
        return new EffectiveProfile(host, defaultDecision(), architecturesOn(host), kept, flags, listenerPath, listenerMetadata);
    }

    /** Optional-returning lookup of the rules that name {@code syscall}, in profile order. */
    public List<SyscallRule> rulesFor(String syscall) {
        return syscalls.stream().filter(r -> r.names().contains(syscall)).toList();
    }

    /** The errno of a default ERRNO, if any. */
    public Optional<Integer> defaultErrno() {
        return defaultAction.takesErrno() ? Optional.of(defaultDecision().effectiveErrno()) : Optional.empty();
    }
}
