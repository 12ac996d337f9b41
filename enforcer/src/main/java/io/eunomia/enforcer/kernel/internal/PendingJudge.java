package io.eunomia.enforcer.kernel.internal;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.bpf.EnforcementPolicy;
import io.eunomia.bpf.PendingRecord;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Judges what a container's workload did before its namespace was classified (a {@link
 * PendingRecord}) against the policy it then got, the way the kernel judges later calls: a syscall
 * outside its ABI's set, a granted capability check not learned granted, a refused one not learned
 * at all. Each violation is dated by its first use when the kernel's log has it, else by the
 * record's first use.
 */
public final class PendingJudge {
    private final Arch arch;
    private final SyscallTable nativeTable;
    private final SyscallTable compatTable;

    public PendingJudge(Arch arch) {
        this.arch = arch;
        this.nativeTable = SyscallTable.of(arch);
        this.compatTable = arch.compat().map(SyscallTable::of).orElse(nativeTable);
    }

    /**
     * The violations of a record, not killed (the caller kills and says so).
     *
     * @param processOf who a pid was (the log names the process of each first use)
     * @param nowNanos  epoch nanoseconds of the judgment, for how late each report is
     */
    public List<ViolationEvent> judge(PendingRecord r, EnforcementPolicy policy, String profile, IntFunction<ProcessInfo> processOf,
                                      int fallbackPid, long nowNanos) {
        List<ViolationEvent> out = new ArrayList<>();
        calls(r, r.nativeSyscalls(), policy.nativeSyscalls(), PendingRecord.UseKind.SYSCALL, profile, processOf, fallbackPid,
                nowNanos, out);
        calls(r, r.compatSyscalls(), policy.compatSyscalls(), PendingRecord.UseKind.COMPAT_SYSCALL, profile, processOf,
                fallbackPid, nowNanos, out);
        for (Capability c : r.capsGranted()) {
            if (!policy.capsGranted().contains(c)) {
                out.add(cap(r, c, true, profile, processOf, fallbackPid, nowNanos));
            }
        }
        for (Capability c : r.capsDenied()) {
            if (!policy.capsGranted().contains(c) && !policy.capsDenied().contains(c)) {
                out.add(cap(r, c, false, profile, processOf, fallbackPid, nowNanos));
            }
        }
        out.sort(java.util.Comparator.comparingLong(ViolationEvent::epochNanos));
        return out;
    }

    private void calls(PendingRecord r, BitSet made, BitSet allowed, PendingRecord.UseKind kind, String profile,
                       IntFunction<ProcessInfo> processOf, int fallbackPid, long nowNanos, List<ViolationEvent> out) {
        BitSet outside = (BitSet) made.clone();
        outside.andNot(allowed);
        boolean compat = kind == PendingRecord.UseKind.COMPAT_SYSCALL;
        for (int nr = outside.nextSetBit(0); nr >= 0; nr = outside.nextSetBit(nr + 1)) {
            Optional<PendingRecord.Use> use = r.firstUse(kind, nr);
            long at = use.map(PendingRecord.Use::epochNanos).orElse(r.firstEpochNanos());
            ProcessInfo p = processOf.apply(use.map(PendingRecord.Use::pid).orElse(fallbackPid));
            out.add(new ViolationEvent(at, p, ViolationKind.SYSCALL, (compat ? compatTable : nativeTable).nameOrNumber(nr), nr,
                    compat ? arch.compat().orElse(arch).id() : arch.id(), "", false, "", false, 0, 1, profile,
                    lateMillis(at, nowNanos)));
        }
    }

    private ViolationEvent cap(PendingRecord r, Capability c, boolean granted, String profile, IntFunction<ProcessInfo> processOf,
                               int fallbackPid, long nowNanos) {
        PendingRecord.UseKind kind = granted ? PendingRecord.UseKind.CAP_GRANTED : PendingRecord.UseKind.CAP_DENIED;
        Optional<PendingRecord.Use> use = r.firstUse(kind, c.number());
        long at = use.map(PendingRecord.Use::epochNanos).orElse(r.firstEpochNanos());
        ProcessInfo p = processOf.apply(use.map(PendingRecord.Use::pid).orElse(fallbackPid));
        // The log does not keep the call the check was made in.
        return new ViolationEvent(at, p, ViolationKind.CAPABILITY, "", -1, "", c.capName(), granted, "", false, 0, 1, profile,
                lateMillis(at, nowNanos));
    }

    /** Milliseconds from the act to the judgment (0 when the clocks disagree by a hair). */
    public static long lateMillis(long actNanos, long nowNanos) {
        return Math.max(0, (nowNanos - actNanos) / 1_000_000);
    }
}
