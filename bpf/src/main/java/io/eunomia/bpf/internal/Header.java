package io.eunomia.bpf.internal;

import io.eunomia.bpf.container.ContainerRegistry;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ProcessInfo;

/**
 * struct event_header of events.h, decoded. Offsets are the C layout's.
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
    /** Where the thread group id is, for readers of records they do not decode. */
    public static final int PID_OFFSET = PID;
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

    /** Process exec records settle container identity (see {@link ContainerRegistry#attribute}). */
    private static final int TYPE_EXEC = 1;

    public static Header read(RecordReader r, MonotonicClock clock, ContainerRegistry containers) {
        if (r.size() < SIZE) {
            throw new IndexOutOfBoundsException("record of " + r.size() + " bytes is shorter than its header (" + SIZE + ")");
        }
        int pid = r.s32(PID);
        long mntns = r.u32(MNTNS);
        long mntnsId = r.s64(MNTNS_ID);
        int type = r.u16(TYPE);
        ContainerInfo container = containers == null ? ContainerInfo.UNRESOLVED
                : containers.attribute(pid, mntns, mntnsId, type == TYPE_EXEC);
        ProcessInfo p = new ProcessInfo(pid, r.s32(TID), r.s32(PPID), r.s32(UID), r.s32(GID), r.s32(EUID),
                r.s32(EGID), r.fixedString(COMM, COMM_LEN), r.fixedString(PCOMM, COMM_LEN), mntns, mntnsId,
                r.u32(PIDNS), r.s64(CGROUP), container);
        return new Header(clock.toEpochNanos(r.s64(TS)), p, r.s64(RET), type, r.u16(RECORD_SIZE), r.s32(SYSCALL_NR));
    }
}
