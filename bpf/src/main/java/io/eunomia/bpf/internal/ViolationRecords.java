package io.eunomia.bpf.internal;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;

/** Decoder for enforce.bpf.c's records: struct violation_event and struct enforce_gate_note. */
public final class ViolationRecords {
    public static final int TYPE_VIOLATION = 50;

    private static final int H = Header.SIZE;
    static final int VIOLATION_SIZE = H + 40;
    static final int GATE_NOTE_SIZE = H + 16;
    private static final Arch ARCH = Arch.current();
    private static final SyscallTable NATIVE = SyscallTable.of(ARCH);
    private static final SyscallTable COMPAT = ARCH.compat().map(SyscallTable::of).orElse(NATIVE);

    private ViolationRecords() {}

    /** A violation as the kernel reported it; the profile is the enforcer's to name. */
    public static ViolationEvent violation(Header h, RecordReader r) {
        if (r.size() < VIOLATION_SIZE) {
            throw new IndexOutOfBoundsException("violation record of " + r.size() + " bytes, expected " + VIOLATION_SIZE);
        }
        long suppressed = r.s64(H);
        long total = r.s64(H + 8);
        int cap = r.s32(H + 20);
        int checkRet = r.s32(H + 24);
        int pathLen = r.u16(H + 28);
        int kindCode = r.u8(H + 30);
        boolean compat = r.u8(H + 31) != 0;
        boolean killed = r.u8(H + 32) != 0;
        if (kindCode >= ViolationKind.values().length) {
            throw new IllegalArgumentException("violation record of unknown kind " + kindCode);
        }
        ViolationKind kind = ViolationKind.values()[kindCode];
        int nr = h.syscallNr();
        return switch (kind) {
            case SYSCALL -> new ViolationEvent(h.epochNanos(), h.process(), kind, syscallName(nr, compat), nr,
                    compat ? ARCH.compat().orElse(ARCH).id() : ARCH.id(), "", false, "", killed, suppressed, total, "");
            case CAPABILITY -> new ViolationEvent(h.epochNanos(), h.process(), kind, nr < 0 ? "" : NATIVE.nameOrNumber(nr), nr,
                    nr < 0 ? "" : ARCH.id(), Capability.of(cap).map(Capability::capName).orElse("CAP_" + cap), checkRet == 0,
                    "", killed, suppressed, total, "");
            case EXEC -> new ViolationEvent(h.epochNanos(), h.process(), kind, "", -1, "", "", false,
                    r.at(VIOLATION_SIZE).nextString(pathLen), killed, suppressed, total, "");
        };
    }

    /** A syscall's name in its ABI; numbers beyond the tables (x32 calls carry bit 30) as "syscall_<n>". */
    static String syscallName(int nr, boolean compat) {
        return (compat ? COMPAT : NATIVE).nameOrNumber(nr);
    }

    /**
     * An exec held at its namespace's first exec (struct enforce_gate_note).
     *
     * @param exeHash the kernel's hash of {@code exe} (the same function as the exec check's)
     * @param exeLength its length in bytes
     */
    public record Held(Header header, String exe, long exeHash, int exeLength) {}

    public static Held gateNote(Header h, RecordReader r) {
        if (r.size() < GATE_NOTE_SIZE) {
            throw new IndexOutOfBoundsException("gate record of " + r.size() + " bytes, expected " + GATE_NOTE_SIZE);
        }
        long hash = r.s64(H);
        int len = (int) r.u32(H + 8);
        String exe = r.at(GATE_NOTE_SIZE).nextString(len + 1);
        return new Held(h, exe, hash, len);
    }
}
