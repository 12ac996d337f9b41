package io.eunomia.bpf.internal;

import io.eunomia.event.CapEvent;
import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;

/** Decoder for cap.bpf.c's record (struct cap_event of events.h). */
public final class CapRecords {
    private static final int H = Header.SIZE;
    static final Layout.Struct CAP_EVENT = new Layout.Struct("cap_event", H + 32);
    static final Layout.Int32 CAP = CAP_EVENT.int32("cap", H);
    static final Layout.Int32 CHECK_RET = CAP_EVENT.int32("check_ret", H + 4);
    static final Layout.Int32 USERNS = CAP_EVENT.int32("userns", H + 8);
    static final Layout.Int32 USERNS_LEVEL = CAP_EVENT.int32("userns_level", H + 12);
    static final Layout.Int64 SUPPRESSED = CAP_EVENT.int64("suppressed", H + 16);
    static final Layout.Int8 COMPAT_CALL = CAP_EVENT.int8("compat", H + 24);
    private static final SyscallTable NATIVE = SyscallTable.of(Arch.current());
    /** A check inside a 32-bit call names it from that ABI's table (x86 on x86_64). */
    private static final SyscallTable COMPAT = Arch.current().compat().map(SyscallTable::of).orElse(NATIVE);

    private CapRecords() {}

    public static CapEvent cap(Header h, RecordReader r) {
        if (r.size() < CAP_EVENT.size()) {
            throw new IndexOutOfBoundsException("cap record of " + r.size() + " bytes, expected " + CAP_EVENT.size());
        }
        int cap = r.s32(CAP);
        int checkRet = r.s32(CHECK_RET);
        long userns = r.u32(USERNS);
        int level = r.s32(USERNS_LEVEL);
        long suppressed = r.s64(SUPPRESSED);
        String name = Capability.of(cap).map(Capability::capName).orElse("CAP_" + cap);
        SyscallTable table = r.u8(COMPAT_CALL) != 0 ? COMPAT : NATIVE;
        String syscall = h.syscallNr() < 0 ? "" : table.nameOrNumber(h.syscallNr());
        return new CapEvent(h.epochNanos(), h.process(), cap, name, checkRet == 0, syscall, userns, level, suppressed);
    }
}
