package io.eunomia.bpf;

import io.eunomia.abi.Capability;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the workload of a mount namespace did while nobody had classified it (enforce.bpf.c's
 * enforce_pending): the complete sets of syscalls and capability checks, and when and by whom each
 * was first used, as far as the kernel's log had room.
 *
 * @param firstEpochNanos its first recorded use
 * @param firstUses       first uses in the order they happened (at most the kernel's log size)
 * @param unlogged        first uses the log had no room for (in the sets, without a time)
 * @param outOfRange      syscalls with a number beyond the sets (x32 calls, bogus numbers)
 */
public record PendingRecord(long mntns, long mntnsId, long firstEpochNanos, BitSet nativeSyscalls, BitSet compatSyscalls,
                            Set<Capability> capsGranted, Set<Capability> capsDenied, List<Use> firstUses, long unlogged,
                            long outOfRange) {
    public enum UseKind { SYSCALL, COMPAT_SYSCALL, CAP_GRANTED, CAP_DENIED }

    /**
     * A first use in the namespace.
     *
     * @param number the syscall number in its ABI, or the capability number
     */
    public record Use(long epochNanos, int pid, UseKind kind, int number) {}

    public PendingRecord {
        nativeSyscalls = (BitSet) nativeSyscalls.clone();
        compatSyscalls = (BitSet) compatSyscalls.clone();
        capsGranted = Set.copyOf(capsGranted);
        capsDenied = Set.copyOf(capsDenied);
        firstUses = List.copyOf(firstUses);
    }

    @Override
    public BitSet nativeSyscalls() {
        return (BitSet) nativeSyscalls.clone();
    }

    @Override
    public BitSet compatSyscalls() {
        return (BitSet) compatSyscalls.clone();
    }

    /** When and by whom it happened first; empty when the log had no room for it. */
    public Optional<Use> firstUse(UseKind kind, int number) {
        return firstUses.stream().filter(u -> u.kind() == kind && u.number() == number).findFirst();
    }
}
