package io.eunomia.rules;

import io.eunomia.event.CapEvent;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SocketFamily;
import io.eunomia.event.SocketType;
import io.eunomia.event.StreamKind;
import io.eunomia.event.SyscallEvent;
import java.util.List;
import java.util.Map;

/** Event records for rule tests. */
final class Events {
    static final ContainerInfo WEB = new ContainerInfo("c".repeat(64), "web", "nginx:1", "docker", "", "");

    private Events() {}

    static ProcessInfo proc(String comm, int uid, ContainerInfo c) {
        return new ProcessInfo(10, 10, 1, uid, uid, uid, uid, comm, 4026532177L, 9, 4026532178L, 1, c);
    }

    /** The event as done by a child of a process named pcomm. */
    static Event childOf(String pcomm, Event e) {
        ProcessInfo p = e.process();
        return e.withProcess(new ProcessInfo(p.pid(), p.tid(), p.ppid(), p.uid(), p.gid(), p.euid(), p.egid(), p.comm(),
                pcomm, p.mntns(), p.mntnsId(), p.pidns(), p.cgroupId(), p.container()));
    }

    static ExecEvent exec(String exe, List<String> argv, StreamKind stdin, ContainerInfo c) {
        String comm = exe.substring(exe.lastIndexOf('/') + 1);
        return new ExecEvent(1_000_000_000L, proc(comm, 0, c), 10, exe, argv, argv.size(), false, "pts0", stdin, stdin,
                StreamKind.PIPE, 0);
    }

    static FileEvent open(String comm, String path, int flags, ContainerInfo c) {
        return new FileEvent(1_000_000_000L, proc(comm, 0, c), FileOp.OPEN, "openat", path, "", flags, 0, -1, -1, 3, true);
    }

    static NetEvent connect(String comm, String ip, int port) {
        return new NetEvent(1_000_000_000L, proc(comm, 1000, WEB), NetOp.CONNECT, "connect", 3, SocketFamily.INET,
                SocketType.STREAM, 6, "10.0.0.2", 40000, ip, port, 0, 0);
    }

    static SyscallEvent setuid(String comm, int uidArg, int callerUid) {
        return new SyscallEvent(1_000_000_000L, proc(comm, callerUid, WEB), "setuid", 105, Map.of("uid", (long) uidArg), Map.of(), 0);
    }

    static CapEvent cap(String name, boolean granted) {
        return new CapEvent(1_000_000_000L, proc("x", 0, WEB), 21, name, granted, "mount", 1, 0, 0);
    }
}
