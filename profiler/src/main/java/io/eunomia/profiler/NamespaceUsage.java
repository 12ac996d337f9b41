package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A snapshot of what one mount namespace did, as numbers (the learner names them).
 *
 * @param mntns       the namespace's number (reused after it is freed)
 * @param namespaceId its id, unique while the host runs; 0 when the kernel has none
 * @param syscalls    syscall numbers by ABI, workload and runtime set-up apart
 * @param granted     capabilities checked and granted
 * @param denied      capabilities checked and refused
 * @param arguments   argument values by ABI and argument
 */
public record NamespaceUsage(long mntns, long namespaceId, Map<Arch, SyscallNumbers> syscalls,
                             Set<Capability> granted, Set<Capability> denied,
                             Map<Arch, Map<ArgumentSpec, ObservedValues>> arguments) {
    public NamespaceUsage {
        EnumMap<Arch, SyscallNumbers> s = new EnumMap<>(Arch.class);
        s.putAll(syscalls);
        syscalls = Collections.unmodifiableMap(s);
        granted = granted.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(granted));
        denied = denied.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(denied));
        EnumMap<Arch, Map<ArgumentSpec, ObservedValues>> a = new EnumMap<>(Arch.class);
        arguments.forEach((arch, m) -> a.put(arch, Collections.unmodifiableMap(new LinkedHashMap<>(m))));
        arguments = Collections.unmodifiableMap(a);
    }

    /**
     * Syscall numbers of one ABI.
     *
     * @param workload from the workload's first exec on
     * @param runtime  the runtime's set-up in the namespace, before the workload's first exec
     */
    public record SyscallNumbers(BitSet workload, BitSet runtime) {
        public SyscallNumbers {
            workload = (BitSet) workload.clone();
            runtime = (BitSet) runtime.clone();
        }

        @Override
        public BitSet workload() {
            return (BitSet) workload.clone();
        }

        @Override
        public BitSet runtime() {
            return (BitSet) runtime.clone();
        }
    }

    /**
     * Distinct (masked) values of one argument.
     *
     * @param overflow more distinct values came than the source keeps: the set is incomplete
     */
    public record ObservedValues(Set<Long> values, boolean overflow) {
        public ObservedValues {
            values = Set.copyOf(values);
        }
    }
}
