package io.eunomia.bpf.internal;

/**
 * enum event_type of events.h: what a record is (event_header.type). The one Java copy of the
 * codes, named as in C without the EVT_ prefix; LayoutTest checks both ways against the BTF.
 */
public enum RecordType {
    EXEC(1),
    EXIT(2),
    FORK(3),
    /** Not an event: a mount namespace's identity, for container attribution (NamespaceRecords). */
    NAMESPACE(4),
    FILE(10),
    NET(20),
    CAP(30),
    SYSCALL(40),
    /** A step outside a container's learned profile (enforce.bpf.c, ViolationRecords). */
    VIOLATION(50),
    /** The ring-buffer throughput benchmark's records (bench module). */
    BENCH(99);

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
