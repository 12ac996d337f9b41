package io.eunomia.bpf.internal;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ProcessInfo;

/**
 * struct event_header of events.h, decoded. Offsets are the C layout's. Pure: the process's
 * container is left {@link ContainerInfo#UNRESOLVED} for the attribution stage to set.
 */
public record Header(long epochNanos, ProcessInfo process, long result, int type, int size, int syscallNr) {
    public static final int SIZE = 112;

    static final int TS = 0;
    static final int CGROUP = 8;
    static final int MNTNS_ID = 16;
    static final int RET = 24;
    static final int MNTNS = 32;
    static final int PIDNS = 36;
    static final int PID = 40;
    static final int TID = 44;
    static final int PPID = 48;
    static final int UID = 52;
    static final int GID = 56;
    static final int EUID = 60;
    static final int EGID = 64;
    static final int TYPE = 68;
    static final int RECORD_SIZE = 70;
    static final int SYSCALL_NR = 72;
    static final int COMM = 80;
    static final int PCOMM = 96;
    static final int COMM_LEN = 16;

    public static Header read(RecordReader r, MonotonicClock clock) {
        if (r.size() < SIZE) {
            throw new IndexOutOfBoundsException("record of " + r.size() + " bytes is shorter than its header (" + SIZE + ")");
        }
        ProcessInfo p = new ProcessInfo(r.s32(PID), r.s32(TID), r.s32(PPID), r.s32(UID), r.s32(GID), r.s32(EUID),
                r.s32(EGID), r.fixedString(COMM, COMM_LEN), r.fixedString(PCOMM, COMM_LEN), r.u32(MNTNS), r.s64(MNTNS_ID),
                r.u32(PIDNS), r.s64(CGROUP), ContainerInfo.UNRESOLVED);
        return new Header(clock.toEpochNanos(r.s64(TS)), p, r.s64(RET), r.u16(TYPE), r.u16(RECORD_SIZE), r.s32(SYSCALL_NR));
    }
}
