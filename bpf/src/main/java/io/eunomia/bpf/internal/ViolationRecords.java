package io.eunomia.bpf.internal;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;

/** Decoder for enforce.bpf.c's records: struct violation_event and struct enforce_exec_note. */
public final class ViolationRecords {
    private static final int H = Header.SIZE;
    static final Layout.Struct VIOLATION_EVENT = new Layout.Struct("violation_event", H + 40);
    static final Layout.Int64 SUPPRESSED = VIOLATION_EVENT.int64("suppressed", H);
    static final Layout.Int64 TOTAL = VIOLATION_EVENT.int64("total", H + 8);
    static final Layout.Int32 CAP = VIOLATION_EVENT.int32("cap", H + 20);
    static final Layout.Int32 CHECK_RET = VIOLATION_EVENT.int32("check_ret", H + 24);
    static final Layout.Int16 PATH_LEN = VIOLATION_EVENT.int16("path_len", H + 28);
    static final Layout.Int8 KIND = VIOLATION_EVENT.int8("kind", H + 30);
    static final Layout.Int8 COMPAT_CALL = VIOLATION_EVENT.int8("compat", H + 31);
    static final Layout.Int8 KILLED = VIOLATION_EVENT.int8("killed", H + 32);
    /** struct enforce_exec_note of enforce.bpf.c: an exec in a namespace not yet classified, its path follows. */
    static final Layout.Struct EXEC_NOTE = new Layout.Struct("enforce_exec_note", H + 16);
    static final Layout.Int64 NOTE_PATH_HASH = EXEC_NOTE.int64("path_hash", H);
    static final Layout.Int32 NOTE_PATH_LEN = EXEC_NOTE.int32("path_len", H + 8);
    private static final Arch ARCH = Arch.current();
    private static final SyscallTable NATIVE = SyscallTable.of(ARCH);
    private static final SyscallTable COMPAT = ARCH.compat().map(SyscallTable::of).orElse(NATIVE);

    private ViolationRecords() {}

    /** A violation as the kernel reported it; the profile is the enforcer's to name. */
    public static ViolationEvent violation(Header h, RecordReader r) {
        if (r.size() < VIOLATION_EVENT.size()) {
            throw new IndexOutOfBoundsException("violation record of " + r.size() + " bytes, expected " + VIOLATION_EVENT.size());
        }
        long suppressed = r.s64(SUPPRESSED);
        long total = r.s64(TOTAL);
        int cap = r.s32(CAP);
        int checkRet = r.s32(CHECK_RET);
        int pathLen = r.u16(PATH_LEN);
        int kindCode = r.u8(KIND);
        boolean compat = r.u8(COMPAT_CALL) != 0;
        boolean killed = r.u8(KILLED) != 0;
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
                    r.at(VIOLATION_EVENT).nextString(pathLen), killed, suppressed, total, "");
        };
    }

    /** A syscall's name in its ABI; numbers beyond the tables (x32 calls carry bit 30) as "syscall_<n>". */
    static String syscallName(int nr, boolean compat) {
        return (compat ? COMPAT : NATIVE).nameOrNumber(nr);
    }

    /**
     * An exec in a namespace not yet classified (struct enforce_exec_note).
     *
     * @param exeHash the kernel's hash of {@code exe} (the same function as the exec check's)
     * @param exeLength its length in bytes
     */
    public record Noted(Header header, String exe, long exeHash, int exeLength) {}

    public static Noted execNote(Header h, RecordReader r) {
        if (r.size() < EXEC_NOTE.size()) {
            throw new IndexOutOfBoundsException("exec note of " + r.size() + " bytes, expected " + EXEC_NOTE.size());
        }
        long hash = r.s64(NOTE_PATH_HASH);
        int len = (int) r.u32(NOTE_PATH_LEN);
        String exe = r.at(EXEC_NOTE).nextString(len + 1);
        return new Noted(h, exe, hash, len);
    }
}
