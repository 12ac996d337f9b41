package io.eunomia.bpf.internal;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ProcessInfo;

/**
 * struct event_header of events.h, decoded. Pure: the process's container is left
 * {@link ContainerInfo#UNRESOLVED} for the attribution stage (io.eunomia.bpf.container.ContainerAttribution).
 */
public record Header(long epochNanos, ProcessInfo process, long result, int type, int size, int syscallNr) {
    /** struct event_header; every record starts with one. */
    static final Layout.Struct EVENT_HEADER = new Layout.Struct("event_header", 112);
    public static final int SIZE = EVENT_HEADER.size();

    static final Layout.Int64 TS = EVENT_HEADER.int64("ts_ns", 0);
    static final Layout.Int64 CGROUP = EVENT_HEADER.int64("cgroup_id", 8);
    static final Layout.Int64 MNTNS_ID = EVENT_HEADER.int64("mntns_id", 16);
    static final Layout.Int64 RET = EVENT_HEADER.int64("ret", 24);
    static final Layout.Int32 MNTNS = EVENT_HEADER.int32("mntns", 32);
    static final Layout.Int32 PIDNS = EVENT_HEADER.int32("pidns", 36);
    static final Layout.Int32 PID = EVENT_HEADER.int32("pid", 40);
    static final Layout.Int32 TID = EVENT_HEADER.int32("tid", 44);
    static final Layout.Int32 PPID = EVENT_HEADER.int32("ppid", 48);
    static final Layout.Int32 UID = EVENT_HEADER.int32("uid", 52);
    static final Layout.Int32 GID = EVENT_HEADER.int32("gid", 56);
    static final Layout.Int32 EUID = EVENT_HEADER.int32("euid", 60);
    static final Layout.Int32 EGID = EVENT_HEADER.int32("egid", 64);
    static final Layout.Int16 TYPE = EVENT_HEADER.int16("type", 68);
    static final Layout.Int16 RECORD_SIZE = EVENT_HEADER.int16("size", 70);
    static final Layout.Int32 SYSCALL_NR = EVENT_HEADER.int32("syscall_nr", 72);
    static final Layout.Chars COMM = EVENT_HEADER.chars("comm", 80, 16);
    static final Layout.Chars PCOMM = EVENT_HEADER.chars("pcomm", 96, 16);

    /** Shared by every decoding thread (see NameCache): a few hundred distinct names cover a host. */
    private static final NameCache NAMES = new NameCache(512);

    /** The thread group id of a record's process, for readers of records they do not decode. */
    public static int pid(RecordReader r) {
        return r.s32(PID);
    }

    public static Header read(RecordReader r, MonotonicClock clock) {
        if (r.size() < SIZE) {
            throw new IndexOutOfBoundsException("record of " + r.size() + " bytes is shorter than its header (" + SIZE + ")");
        }
        ProcessInfo p = new ProcessInfo(r.s32(PID), r.s32(TID), r.s32(PPID), r.s32(UID), r.s32(GID), r.s32(EUID),
                r.s32(EGID), NAMES.name(r, COMM), NAMES.name(r, PCOMM), r.u32(MNTNS), r.s64(MNTNS_ID),
                r.u32(PIDNS), r.s64(CGROUP), ContainerInfo.UNRESOLVED);
        return new Header(clock.toEpochNanos(r.s64(TS)), p, r.s64(RET), r.u16(TYPE), r.u16(RECORD_SIZE), r.s32(SYSCALL_NR));
    }
}
