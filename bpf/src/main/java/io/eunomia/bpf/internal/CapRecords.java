package io.eunomia.bpf.internal;

import io.eunomia.event.CapEvent;
import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;

/** Decoder for cap.bpf.c's record (struct cap_event of events.h). */
public final class CapRecords {
    public static final int TYPE_CAP = 30;

    private static final int H = Header.SIZE;
    static final int CAP_EVENT_SIZE = H + 24;
    private static final SyscallTable SYSCALLS = SyscallTable.of(Arch.current());

    private CapRecords() {}

    public static CapEvent cap(Header h, RecordReader r) {
        if (r.size() < CAP_EVENT_SIZE) {
            throw new IndexOutOfBoundsException("cap record of " + r.size() + " bytes, expected " + CAP_EVENT_SIZE);
        }
        int cap = r.s32(H);
        int checkRet = r.s32(H + 4);
        long userns = r.u32(H + 8);
        int level = r.s32(H + 12);
        long suppressed = r.s64(H + 16);
        String name = Capability.of(cap).map(Capability::capName).orElse("CAP_" + cap);
        String syscall = h.syscallNr() < 0 ? "" : SYSCALLS.nameOrNumber(h.syscallNr());
        return new CapEvent(h.epochNanos(), h.process(), cap, name, checkRet == 0, syscall, userns, level, suppressed);
    }
}
