package io.eunomia.bpf;

import io.eunomia.abi.Capability;
import io.eunomia.event.ViolationKind;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the kernel checks for one watched container ({@link KernelEnforcement}): everything else
 * its workload does is a violation.
 *
 * @param nativeSyscalls allowed syscalls of the host's native ABI ({@code Arch.current()}), by number
 * @param compatSyscalls allowed 32-bit syscalls (x86 on x86_64), in that ABI's numbering
 * @param capsGranted    capabilities whose check may pass
 * @param capsDenied     capabilities whose check may fail (the workload tried them while learned and was
 *                       refused); a failed check of a capability in capsGranted is expected too
 * @param executables    files the workload may exec: resolved absolute paths as the container sees them
 * @param kill           kinds of violation at which the process is sent SIGKILL (enforce mode); empty in
 *                       monitor mode
 */
public record EnforcementPolicy(BitSet nativeSyscalls, BitSet compatSyscalls, Set<Capability> capsGranted,
                                Set<Capability> capsDenied, Set<String> executables, Set<ViolationKind> kill) {
    /** Syscall numbers the kernel bitmaps hold (enforce.bpf.c ENF_SYSCALL_BITS). */
    public static final int SYSCALL_BITS = 1024;

    public EnforcementPolicy {
        nativeSyscalls = (BitSet) nativeSyscalls.clone();
        compatSyscalls = (BitSet) compatSyscalls.clone();
        capsGranted = Set.copyOf(capsGranted);
        capsDenied = Set.copyOf(capsDenied);
        executables = Set.copyOf(executables);
        kill = kill.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kill));
        if (nativeSyscalls.length() > SYSCALL_BITS || compatSyscalls.length() > SYSCALL_BITS) {
            throw new IllegalArgumentException("syscall numbers must be below " + SYSCALL_BITS);
        }
    }

    @Override
    public BitSet nativeSyscalls() {
        return (BitSet) nativeSyscalls.clone();
    }

    @Override
    public BitSet compatSyscalls() {
        return (BitSet) compatSyscalls.clone();
    }

    /** The same policy with other kill kinds (empty: report only). */
    public EnforcementPolicy withKill(Set<ViolationKind> kinds) {
        return new EnforcementPolicy(nativeSyscalls, compatSyscalls, capsGranted, capsDenied, executables, kinds);
    }
}
