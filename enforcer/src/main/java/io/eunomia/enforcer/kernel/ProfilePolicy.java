package io.eunomia.enforcer.kernel;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.bpf.EnforcementPolicy;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Executable;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.SyscallUse;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A learned profile as the kernel enforces it on this host, and a profile widened by an accepted
 * violation ({@code --update}). Only the workload's calls count: the runtime's set-up happens
 * before the workload's first exec, in processes the kernel does not check.
 */
public final class ProfilePolicy {
    private ProfilePolicy() {}

    /** Why a profile cannot be enforced here (learned on another architecture). */
    public static Optional<String> unusableOn(Profile p, Arch host) {
        if (p.arches().isEmpty() || p.arches().contains(host) || host.compat().map(p.arches()::contains).orElse(false)) {
            return Optional.empty();
        }
        return Optional.of("profile " + p.metadata().name() + " was learned on "
                + String.join(",", p.arches().stream().map(Arch::id).toList()) + "; this host is " + host.id());
    }

    /**
     * The kernel policy of a profile on a host of architecture {@code host}.
     *
     * @param kill kinds that kill (empty in monitor mode)
     * @throws IllegalArgumentException naming syscalls this build does not know by name
     */
    public static EnforcementPolicy of(Profile p, Arch host, Set<ViolationKind> kill) {
        BitSet nat = numbers(p.arch(host), host);
        BitSet compat = host.compat().map(c -> numbers(p.arch(c), c)).orElseGet(BitSet::new);
        return new EnforcementPolicy(nat, compat, p.capsGranted().keySet(), p.capsDenied().keySet(),
                p.executables().keySet(), kill);
    }

    private static BitSet numbers(ArchProfile calls, Arch arch) {
        SyscallTable table = SyscallTable.of(arch);
        BitSet out = new BitSet();
        List<String> unknown = new java.util.ArrayList<>();
        for (String name : calls.workload().keySet()) {
            OptionalInt nr = number(table, name);
            if (nr.isPresent() && nr.getAsInt() < EnforcementPolicy.SYSCALL_BITS) {
                out.set(nr.getAsInt());
            } else {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the " + arch.id() + " syscall table of this build has no "
                    + String.join(", ", unknown) + "; a profile learned on a newer kernel needs a newer eunomia");
        }
        return out;
    }

    /** A name of the table, or {@code syscall_<nr>} as the learner writes numbers without one. */
    private static OptionalInt number(SyscallTable table, String name) {
        OptionalInt nr = table.number(name);
        if (nr.isEmpty() && name.startsWith("syscall_")) {
            try {
                return OptionalInt.of(Integer.parseInt(name.substring("syscall_".length())));
            } catch (NumberFormatException e) {
                return OptionalInt.empty();
            }
        }
        return nr;
    }

    /**
     * The profile with what a violation did added (complain-then-accept): its syscall under its
     * ABI, its capability with the outcome seen, its executable. Unchanged when the violation
     * says too little (a syscall number outside every table, an ABI this build does not know).
     */
    public static Profile accept(Profile p, ViolationEvent v, Instant now) {
        return switch (v.kind()) {
            case SYSCALL -> Arch.parse(v.abi()).filter(a -> !v.syscall().isEmpty()).map(arch -> {
                TreeMap<Arch, ArchProfile> arches = new TreeMap<>(p.architectures());
                ArchProfile old = p.arch(arch);
                TreeMap<String, SyscallUse> calls = new TreeMap<>(old.workload());
                calls.putIfAbsent(v.syscall(), new SyscallUse(v.syscall(), now));
                arches.put(arch, new ArchProfile(arch, calls, old.runtime(), old.arguments()));
                return new Profile(p.metadata(), arches, p.capsGranted(), p.capsDenied(), p.executables());
            }).orElse(p);
            case CAPABILITY -> Capability.parse(v.capName()).map(cap -> {
                TreeMap<Capability, CapabilityUse> granted = new TreeMap<>(p.capsGranted());
                TreeMap<Capability, CapabilityUse> denied = new TreeMap<>(p.capsDenied());
                (v.capGranted() ? granted : denied).putIfAbsent(cap, new CapabilityUse(cap, now));
                return new Profile(p.metadata(), p.architectures(), granted, denied, p.executables());
            }).orElse(p);
            case EXEC -> {
                if (!v.exe().startsWith("/")) {
                    yield p;
                }
                TreeMap<String, Executable> exes = new TreeMap<>(p.executables());
                exes.putIfAbsent(v.exe(), new Executable(v.exe(), new TreeSet<>(), 1, now));
                yield new Profile(p.metadata(), p.architectures(), p.capsGranted(), p.capsDenied(), exes);
            }
        };
    }
}
