package io.eunomia.rules;

import io.eunomia.event.EventType;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetOp;
import io.eunomia.event.SocketFamily;
import io.eunomia.event.SocketType;
import io.eunomia.event.StreamKind;
import io.eunomia.event.SyscallArguments;
import io.eunomia.event.ViolationKind;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import io.eunomia.rules.FieldCatalog.Access;
import io.eunomia.rules.FieldCatalog.Def;
import io.eunomia.rules.FieldCatalog.EventKind;
import io.eunomia.rules.FieldCatalog.Field;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The standard catalog's fields: each field's DRL form per event type, the Falco fields we do not
 * offer and why, and what each {@code evt.type} name selects. {@link FieldCatalog} answers
 * questions about them.
 */
final class StandardFields {
    final Map<String, Def> defs = new LinkedHashMap<>();
    final Map<String, String> unavailable = new LinkedHashMap<>();
    final Map<String, List<EventKind>> kinds = new LinkedHashMap<>();
    final Set<String> syscallNames = new TreeSet<>();
    /** Fields that hold a file mode: shown to people in octal ({@link FieldCatalog#shown}). */
    final Set<String> modes = new TreeSet<>();

    StandardFields() {
        defineEvent();
        defineProcess();
        defineContainer();
        defineFile();
        defineNet();
        defineArgs();
        defineCap();
        defineViolation();
        defineProcessTable();
        defineFalcoForms();
        defineUnavailable();
        defineKinds();
    }

    /** proc.aname[N], proc.apid[N], proc.aexe[N], proc.aexepath[N]: N = 0 is the process itself, 1 its parent, ... */
    Def indexedDef(String base, int n) {
        boolean pid = base.equals("proc.apid");
        String what = switch (base) {
            case "proc.aname" -> "name";
            case "proc.apid" -> "pid";
            default -> "executable (path)";
        };
        F f = new F(base + "[" + n + "]", pid ? FieldType.INT : FieldType.STRING,
                what + " of the ancestor at depth " + n + " (0: the process, 1: its parent, ...)");
        String drl = "EventFields." + (pid ? "apid" : base.equals("proc.aname") ? "aname" : "aexe") + "(process, " + n + ")";
        for (EventType t : EventType.values()) {
            f.on(t, drl, n == 0 ? null : "EventFields.hasAncestor(process, " + n + ")");
        }
        return f.def();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Builder for one field's accessors. */
    private final class F {
        final String name;
        final FieldType type;
        final String desc;
        final Map<EventType, Access> access = new EnumMap<>(EventType.class);
        Class<? extends Enum<?>> enumType;

        F(String name, FieldType type, String desc) {
            this.name = name;
            this.type = type;
            this.desc = desc;
        }

        F on(EventType t, String drl) {
            return on(t, drl, null);
        }

        F on(EventType t, String drl, String guard) {
            try {
                access.put(t, Access.of(t, drl, guard));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("field " + name + ": " + e.getMessage(), e);
            }
            return this;
        }

        F all(String drl) {
            for (EventType t : EventType.values()) {
                on(t, drl);
            }
            return this;
        }

        F enumOf(Class<? extends Enum<?>> e) {
            enumType = e;
            return this;
        }

        void add() {
            defs.put(name, def());
        }

        Def def() {
            List<String> values = new ArrayList<>();
            if (enumType != null) {
                for (Enum<?> c : enumType.getEnumConstants()) {
                    values.add(c.name().toLowerCase(Locale.ROOT));
                }
            }
            return new Def(new Field(name, type, desc, access.keySet(), values), Map.copyOf(access), enumType);
        }

        /** The record's own value on one event type, the process table's (when known) on the others. */
        F tableOr(EventType own, String drl, String table) {
            for (EventType t : EventType.values()) {
                if (t == own) {
                    on(t, drl);
                } else {
                    on(t, table, "EventFields.known(" + table + ")");
                }
            }
            return this;
        }

        F allGuarded(String drl, String guard) {
            for (EventType t : EventType.values()) {
                on(t, drl, guard);
            }
            return this;
        }
    }

    private F f(String name, FieldType type, String desc) {
        return new F(name, type, desc);
    }

    private void defineEvent() {
        f("evt.type", FieldType.STRING, "what happened: exec, exit, fork, a file operation (open, unlink, rename, link, "
                + "symlink, truncate, chmod, chown, mkdir, utimes: times set explicitly), a socket operation (connect, accept, bind, listen), "
                + "capability, violation (of a learned profile), or a system call name (setuid, ptrace, mount, ...); "
                + "=, != and in only")
                .all("EventFields.evtType(this)").add();
        f("evt.rawtime", FieldType.INT, "event time, nanoseconds since the epoch").all("epochNanos").add();
        f("evt.time", FieldType.STRING, "event time, ISO-8601 UTC").all("EventFields.time(epochNanos)").add();
        f("evt.rawres", FieldType.INT, "the call's return value: 0, an fd, or -errno; for fork events the child's pid")
                .on(EventType.EXEC, "result").on(EventType.FILE, "result").on(EventType.NET, "result")
                .on(EventType.SYSCALL, "result").on(EventType.FORK, "childPid").add();
        f("evt.res", FieldType.STRING, "SUCCESS, or the error's name (EACCES, ENOENT, ...) of a failed call")
                .on(EventType.EXEC, "EventFields.res(result)").on(EventType.FILE, "EventFields.res(result)")
                .on(EventType.NET, "EventFields.res(result)").on(EventType.SYSCALL, "EventFields.res(result)").add();
        f("evt.failed", FieldType.BOOL, "the call failed (an in-progress non-blocking connect counts as success)")
                .on(EventType.EXEC, "EventFields.failed(this)").on(EventType.FILE, "EventFields.failed(this)")
                .on(EventType.NET, "EventFields.failed(this)").on(EventType.SYSCALL, "EventFields.failed(this)").add();
        f("syscall.type", FieldType.STRING, "the system call behind a file, socket, capability or syscall event "
                + "(openat, accept4, ...; empty for a capability check outside a call)")
                .on(EventType.FILE, "syscall").on(EventType.NET, "syscall").on(EventType.CAP, "syscall")
                .on(EventType.SYSCALL, "syscall").add();
    }

    private void defineProcess() {
        proc("proc.name", FieldType.STRING, "process.comm", "command name (15 characters at most); for exec events the new program's");
        proc("proc.pid", FieldType.INT, "process.pid", "process id (thread group id)");
        proc("thread.tid", FieldType.INT, "process.tid", "thread id");
        proc("proc.ppid", FieldType.INT, "process.ppid", "parent process id");
        proc("proc.pname", FieldType.STRING, "process.pcomm",
                "the parent process's command name (what /proc/PPID/comm shows, 15 characters at most) when the "
                        + "event happened; once the parent has exited, that of the new parent (init or a subreaper)");
        proc("proc.pidns", FieldType.INT, "process.pidns", "pid namespace inode number");
        proc("proc.mntns", FieldType.INT, "process.mntns", "mount namespace inode number");
        proc("user.uid", FieldType.INT, "process.uid", "real user id");
        proc("user.euid", FieldType.INT, "process.euid", "effective user id");
        proc("group.gid", FieldType.INT, "process.gid", "real group id");
        proc("group.egid", FieldType.INT, "process.egid", "effective group id");
        f("proc.exe", FieldType.STRING, "absolute path of the executed file, symlinks resolved (Falco's proc.exe is argv[0], "
                + "ours is the path); exec events: the record's; other events: the process table's, when it knows the process")
                .tableOr(EventType.EXEC, "exe", "process.facts.exe").add();
        f("proc.exepath", FieldType.STRING, "absolute path of the executed file (exec events; others from the process table)")
                .tableOr(EventType.EXEC, "exe", "process.facts.exe").add();
        f("proc.cmdline", FieldType.STRING, "argv joined by spaces, argv[0] first (exec events; others from the process table)")
                .tableOr(EventType.EXEC, "EventFields.cmdline(argv)", "process.facts.cmdline").add();
        f("proc.script", FieldType.STRING, "the script an interpreter runs: one the kernel ran through the interpreter it names (#!), "
                + "or the file a shell, python, perl, ruby or node was given as first non-option argument (sh /tmp/x); its path "
                + "made absolute, as the caller named it (proc.exe is then the interpreter); empty otherwise (exec events)")
                .on(EventType.EXEC, "script").add();
        f("proc.args", FieldType.STRING, "the arguments after argv[0], joined by spaces (exec events)")
                .on(EventType.EXEC, "EventFields.args(argv)").add();
        f("proc.argv", FieldType.STRINGS, "argv as a list; 'contains' tests for a whole element (exec events)")
                .on(EventType.EXEC, "argv").add();
        f("proc.argc", FieldType.INT, "number of arguments (exec events)").on(EventType.EXEC, "argc").add();
        f("proc.tty", FieldType.STRING, "controlling terminal name, e.g. pts0, empty when none (exec events; Falco's is a number)")
                .on(EventType.EXEC, "tty").add();
        f("proc.stdin", FieldType.STRING, "what stdin is: none, file, pipe, socket, tty, char, other (exec events)")
                .on(EventType.EXEC, "stdin").enumOf(StreamKind.class).add();
        f("proc.stdout", FieldType.STRING, "what stdout is (exec events)").on(EventType.EXEC, "stdout").enumOf(StreamKind.class).add();
        f("proc.stderr", FieldType.STRING, "what stderr is (exec events)").on(EventType.EXEC, "stderr").enumOf(StreamKind.class).add();
    }

    private void proc(String name, FieldType type, String drl, String desc) {
        f(name, type, desc).all(drl).add();
    }

    private void defineContainer() {
        ctr("container.id", "process.container.id",
                "full container id (64 hex for docker/podman; Falco shows 12), 'host' on the host, empty if unresolved");
        ctr("container.name", "process.container.name", "container name, 'host' on the host");
        ctr("container.image", "process.container.image", "image reference, empty when unknown");
        ctr("container.runtime", "process.container.runtime", "docker, podman, containerd, cri-o, runc, crun, conmon (podman or CRI-O: not told yet), host, unknown");
        ctr("container.type", "process.container.runtime", "same as container.runtime (Falco's name)");
        ctr("k8s.pod.name", "process.container.podName", "Kubernetes pod name, empty outside one");
        ctr("k8s.ns.name", "process.container.podNamespace", "Kubernetes namespace, empty outside a pod");
    }

    private void ctr(String name, String drl, String desc) {
        f(name, FieldType.STRING, desc).all(drl).add();
    }

    private void defineFile() {
        f("fd.name", FieldType.STRING, "file events: the path acted upon; socket events: lip:lport->rip:rport, "
                + "or the unix socket path")
                .on(EventType.FILE, "path").on(EventType.NET, "EventFields.fdName(this)").add();
        f("fd.directory", FieldType.STRING, "directory of the path (file events)").on(EventType.FILE, "EventFields.directory(path)").add();
        f("fd.filename", FieldType.STRING, "last component of the path (file events)").on(EventType.FILE, "EventFields.filename(path)").add();
        f("file.newpath", FieldType.STRING, "the name a rename, link or symlink created (file events)").on(EventType.FILE, "newPath").add();
        f("evt.is_open_write", FieldType.BOOL, "an open for writing (O_WRONLY or O_RDWR)")
                .on(EventType.FILE, "EventFields.isOpenWrite(this)").add();
        f("evt.is_open_read", FieldType.BOOL, "an open for reading (O_RDONLY or O_RDWR)")
                .on(EventType.FILE, "EventFields.isOpenRead(this)").add();
    }

    private void defineNet() {
        f("fd.num", FieldType.INT, "socket events: the socket's fd; opens: the fd opened, -1 when the open failed")
                .on(EventType.NET, "fd").on(EventType.FILE, "EventFields.openedFd(this)", "EventFields.isOp(this, \"OPEN\")").add();
        net("fd.lip", FieldType.STRING, "localAddr", "local address (socket events)");
        net("fd.lport", FieldType.INT, "localPort", "local port");
        net("fd.rip", FieldType.STRING, "remoteAddr", "remote address");
        net("fd.rport", FieldType.INT, "remotePort", "remote port");
        net("fd.sip", FieldType.STRING, "EventFields.serverAddr(this)",
                "server address, as in Falco: the peer of a connect, the local end of accept/bind/listen");
        net("fd.sport", FieldType.INT, "EventFields.serverPort(this)", "server port");
        net("fd.cip", FieldType.STRING, "EventFields.clientAddr(this)", "client address");
        net("fd.cport", FieldType.INT, "EventFields.clientPort(this)", "client port");
        net("fd.dip", FieldType.STRING, "EventFields.serverAddr(this)", "destination of the connection: same as fd.sip (the server side)");
        net("fd.dport", FieldType.INT, "EventFields.serverPort(this)", "destination port: same as fd.sport");
        net("fd.l4proto", FieldType.STRING, "EventFields.l4proto(this)", "tcp, udp, icmp, raw, unix or empty");
        f("fd.family", FieldType.STRING, "address family: unix, inet, inet6, netlink, packet, other")
                .on(EventType.NET, "family").enumOf(SocketFamily.class).add();
        f("fd.socktype", FieldType.STRING, "socket type: stream, dgram, raw, rdm, seqpacket, packet, unknown")
                .on(EventType.NET, "socketType").enumOf(SocketType.class).add();
    }

    private void net(String name, FieldType type, String drl, String desc) {
        f(name, type, desc).on(EventType.NET, drl).add();
    }

    private void defineArgs() {
        args("flags", "open flags (O_*) or an *at call's flags");
        args("mode", "open/chmod mode bits (-1 when the call has none); outputs show them in octal, as chmod writes them (04755)");
        modes.add("evt.arg.mode");
        args("uid", "chown's or setuid's uid (-1: unchanged or none)");
        args("gid", "chown's or setgid's gid (-1: unchanged or none)");
        f("evt.arg.atime", FieldType.STRING, "the access time a utimes event set (utimensat, futimens, utimes, futimesat, "
                + "utime), ISO-8601 UTC; \"\" when it left it or set it to now (file events)")
                .on(EventType.FILE, "EventFields.atimeSet(this)").add();
        f("evt.arg.mtime", FieldType.STRING, "the modification time a utimes event set, ISO-8601 UTC (2001-01-01T00:00:00Z); "
                + "\"\" when it left it or set it to now (file events)")
                .on(EventType.FILE, "EventFields.mtimeSet(this)").add();
        f("evt.arg.status", FieldType.INT, "wait(2) status of an exit: exit code << 8, or the terminating signal (exit events)")
                .on(EventType.EXIT, "status").add();
        f("evt.arg.backlog", FieldType.INT, "listen's backlog, 0 for the other socket calls (socket events)")
                .on(EventType.NET, "backlog").add();
        // Each argument name the privilege sensor reports (io.eunomia.event.SyscallArguments).
        SyscallArguments.numberNames().forEach((arg, calls) -> f("syscall.arg." + arg, FieldType.INT,
                "numeric argument '" + arg + "' of " + String.join(", ", calls) + " (syscall events)")
                .on(EventType.SYSCALL, "arg(" + quote(arg) + ", 0)", "args.containsKey(" + quote(arg) + ")").add());
        SyscallArguments.modeNames().forEach(arg -> modes.add("syscall.arg." + arg));
        SyscallArguments.stringNames().forEach((arg, calls) -> f("syscall.str." + arg, FieldType.STRING,
                "string argument '" + arg + "' of " + String.join(", ", calls) + " (syscall events)")
                .on(EventType.SYSCALL, "EventFields.str(strings, " + quote(arg) + ")", "strings.containsKey(" + quote(arg) + ")").add());
        f("syscall.file_caps", FieldType.STRING, "the file capabilities an xattr write of security.capability sets, as getcap "
                + "shows them (cap_setuid+ep); \"\" for other writes (syscall events)")
                .on(EventType.SYSCALL, "EventFields.fileCaps(args)", "args.containsKey(\"cap_permitted\")").add();
    }

    private void args(String arg, String desc) {
        String q = quote(arg);
        f("evt.arg." + arg, FieldType.INT, desc + " (file and syscall events)")
                .on(EventType.FILE, arg)
                .on(EventType.SYSCALL, "arg(" + q + ", 0)", "args.containsKey(" + q + ")").add();
    }

    private void defineCap() {
        f("cap.name", FieldType.STRING, "capability checked, e.g. CAP_SYS_ADMIN").on(EventType.CAP, "capName").add();
        f("cap.num", FieldType.INT, "capability number").on(EventType.CAP, "capability").add();
        f("cap.granted", FieldType.BOOL, "whether the check passed").on(EventType.CAP, "granted").add();
        f("cap.host", FieldType.BOOL, "checked against the host's user namespace (real privilege over the host)")
                .on(EventType.CAP, "inHostUserNamespace()").add();
    }

    private void defineViolation() {
        f("violation.kind", FieldType.STRING, "what stepped outside the container's learned profile: syscall, capability, exec "
                + "(profile violation events, only while profiles are enforced)")
                .on(EventType.VIOLATION, "kind").enumOf(ViolationKind.class).add();
        viol("violation.syscall", FieldType.STRING, "syscall",
                "syscall kind: the call (mknod, or syscall_<n> without a name); capability kind: the call the check was made in");
        viol("violation.syscall_nr", FieldType.INT, "syscallNumber",
                "the call's number in its ABI (-1 when none)");
        viol("violation.abi", FieldType.STRING, "abi",
                "the call's ABI: x86_64, aarch64, or x86 for a 32-bit call on x86_64");
        viol("violation.cap", FieldType.STRING, "capName", "capability kind: e.g. CAP_NET_RAW");
        viol("violation.cap_granted", FieldType.BOOL, "capGranted",
                "capability kind: whether the check passed");
        viol("violation.exe", FieldType.STRING, "exe",
                "exec kind: the executed file, resolved as the container sees it");
        viol("violation.subject", FieldType.STRING, "subject()",
                "what was outside the profile: the syscall, the capability or the executable");
        viol("violation.killed", FieldType.BOOL, "killed",
                "the process was sent SIGKILL (enforce mode); the call itself still ran");
        viol("violation.action", FieldType.STRING, "action()", "killed or reported; for a violation found when its container "
                + "was classified (it started after enforcement began): e.g. killed late (at classification, 42 ms after the act)");
        viol("violation.late", FieldType.BOOL, "late()", "found when the container was classified, after the act "
                + "(not caught in the kernel at the act)");
        viol("violation.late_ms", FieldType.INT, "lateMillis", "late violations: milliseconds between the act and its "
                + "judgment at classification; -1 when caught at the act");
        viol("violation.suppressed", FieldType.INT, "suppressed",
                "violations of this kind in this container held back by the kernel's rate limit since the previous report");
        viol("violation.total", FieldType.INT, "total",
                "violations of this kind in this container since its profile was applied, this one included");
        viol("violation.profile", FieldType.STRING, "profile", "the profile applied to the container");
    }

    private void viol(String name, FieldType type, String drl, String desc) {
        f(name, type, desc).on(EventType.VIOLATION, drl).add();
    }

    /** Fields the process table (ProcessFacts, filled between decoding and rules) serves. */
    private void defineProcessTable() {
        String anc = "EventFields.hasAncestor(process, 1)";
        f("proc.aname", FieldType.ANY_STRING, "names of the ancestors (parent first, as far as the process table knows "
                + "them): a comparison holds when it holds for one; proc.aname[N] is the one at depth N (0: the process, "
                + "1: its parent), proc.apid[N] its pid").all("process.facts.ancestorNames()").add();
        f("proc.pexe", FieldType.STRING, "the parent's executable, absolute path (Falco's is the parent's argv[0])")
                .allGuarded("EventFields.pexe(process)", anc).add();
        f("proc.pexepath", FieldType.STRING, "the parent's executable, absolute path").allGuarded("EventFields.pexe(process)", anc).add();
        f("proc.pcmdline", FieldType.STRING, "the parent's command line (argv joined by spaces)")
                .allGuarded("EventFields.pcmdline(process)", anc).add();
        f("proc.cwd", FieldType.STRING, "working directory with a trailing /: at the exec as the kernel sensor resolved it "
                + "(inside the process's root, so a container's own path; a process gone before the exec was decoded has it "
                + "too), a forked child's its parent's, a process first seen later from /proc; absent when unknown")
                .allGuarded("process.facts.cwd", "EventFields.known(process.facts.cwd)").add();
        f("user.name", FieldType.STRING, "the real uid's name in the process's own /etc/passwd (its container's, read "
                + "through /proc/PID/root, cached until the file changes); absent when it has none")
                .allGuarded("process.facts.userName", "EventFields.known(process.facts.userName)").add();
        f("proc.duration", FieldType.INT, "nanoseconds since the process started")
                .allGuarded("EventFields.duration(epochNanos, process)", "EventFields.hasStart(process)").add();
        f("evt.num", FieldType.INT, "the event's number in this run, from 1").all("process.facts.eventNum").add();
        f("thread.cap_effective", FieldType.STRING, "effective capabilities, as Falco prints them (CAP_CHOWN CAP_SYS_ADMIN ...), "
                + "read from /proc/PID/status when the process table saw the exec (or the process first)")
                .allGuarded("EventFields.capEffective(process)", "EventFields.hasCaps(process)").add();
        f("thread.cap_permitted", FieldType.STRING, "permitted capabilities, as Falco prints them, read with thread.cap_effective")
                .allGuarded("EventFields.capPermitted(process)", "EventFields.hasCaps(process)").add();
        f("proc.vpid", FieldType.INT, "the pid in the process's own pid namespace (1: a container's init)")
                .allGuarded("process.facts.vpid", "EventFields.hasVpid(process)").add();
        f("proc.is_exe_upper_layer", FieldType.BOOL, "the executed file is in the writable upper layer of the "
                + "container's overlay root (it was added after the container started; exec events)")
                .on(EventType.EXEC, "process.facts.exeUpperLayer").add();
        f("container.privileged", FieldType.BOOL, "the process runs in a container with every capability the host can give (its "
                + "init's bounding set) effective and no seccomp filter: what --privileged gives (read from the process, not the runtime's flag, so "
                + "--cap-add ALL with seccomp=unconfined counts too)")
                .allGuarded("EventFields.privileged(process)", "EventFields.hasCaps(process)").add();
        f("container.in_host_mntns", FieldType.BOOL, "a container's process (known by its cgroup) runs in the host's mount "
                + "namespace: it entered it (nsenter -t 1 -m, setns), an escape to the host's files")
                .all("EventFields.inHostMntns(process)").add();
        f("proc.caps_from_file", FieldType.BOOL, "the exec raised the process's permitted capabilities from the file's "
                + "capabilities (setcap), not by a setuid or setgid bit: the program runs with capabilities its caller lacked "
                + "(successful exec events, read by the kernel sensor at the exec)")
                .on(EventType.EXEC, "EventFields.capsFromFile(this)").add();
        f("proc.is_exe_from_memfd", FieldType.BOOL, "the executed file is a memfd (fileless execution; exec events)")
                .on(EventType.EXEC, "process.facts.exeFromMemfd").add();
        f("proc.exec_on_host", FieldType.BOOL, "the program the process runs was exec'd on the host (in the host's pid "
                + "namespace, outside every container's own mount namespace) and it has not exec'd since: a container runtime's "
                + "init (runc init, crun) setting a container up, never a process of the workload, whatever name it gives itself "
                + "(exec events: the program that called exec; false for a process whose exec the monitor did not see)")
                .all("process.facts.execOnHost").add();
    }

    /** Falco's forms of values our records keep otherwise (image parts, fd kinds, argument names). */
    private void defineFalcoForms() {
        ctr("container.image.repository", "EventFields.imageRepository(process.container.image)",
                "the image reference without its tag or digest");
        ctr("container.image.tag", "EventFields.imageTag(process.container.image)", "the image reference's tag, empty when none");
        f("fd.typechar", FieldType.STRING, "f for file events, 4 / 6 for IPv4 / IPv6 sockets, u for unix sockets, o otherwise")
                .on(EventType.FILE, "\"f\"").on(EventType.NET, "EventFields.typechar(this)").add();
        f("fd.type", FieldType.STRING, "file for file events; ipv4, ipv6, unix, netlink, ... for sockets")
                .on(EventType.FILE, "\"file\"").on(EventType.NET, "EventFields.fdType(this)").add();
        f("fd.connected", FieldType.BOOL, "the socket is connected: a connect (in progress counts) or accept that succeeded")
                .on(EventType.NET, "EventFields.connected(this)").add();
        f("fd.ip", FieldType.IPNET, "either end's address (compared with addresses or networks; matches when one does)")
                .on(EventType.NET, "EventFields.ips(this)").add();
        f("fd.net", FieldType.IPNET, "either end's address compared with networks (\"10.0.0.0/8\")")
                .on(EventType.NET, "EventFields.ips(this)").add();
        f("fd.snet", FieldType.IPNET, "the server address compared with networks").on(EventType.NET, "EventFields.serverAddr(this)").add();
        f("fd.cnet", FieldType.IPNET, "the client address compared with networks").on(EventType.NET, "EventFields.clientAddr(this)").add();
        f("fd.lnet", FieldType.IPNET, "the local address compared with networks").on(EventType.NET, "localAddr").add();
        f("fd.rnet", FieldType.IPNET, "the remote address compared with networks").on(EventType.NET, "remoteAddr").add();
        f("fd.sip.name", FieldType.HOST_NAME, "the server address compared with host names: equal when the system resolver "
                + "gives the name that address (resolved on first use, kept a minute, as Falco's DNS manager); outputs show the address")
                .on(EventType.NET, "EventFields.serverAddr(this)").add();
        f("fd.name_changed", FieldType.BOOL, "a sendto/sendmsg to another address than the previous one: no sensor here "
                + "reports sendto or sendmsg, so no event has it (a comparison on it is false)").add();
        String req = "args.containsKey(\"request\")";
        f("evt.arg.request", FieldType.STRING, "ptrace's request as Falco names it (PTRACE_ATTACH, PTRACE_TRACEME, ...)")
                .on(EventType.SYSCALL, "EventFields.ptraceRequest(arg(\"request\", 0))", req).add();
        f("evt.arg.domain", FieldType.STRING, "socket's family as Falco names it (AF_PACKET, AF_NETLINK, ...; socket calls the "
                + "privilege sensor keeps: packet, raw, alg, key and non-route netlink sockets)")
                .on(EventType.SYSCALL, "EventFields.socketFamily(arg(\"family\", 0))",
                        "args.containsKey(\"family\")").add();
        String symlink = "EventFields.isOp(this, \"SYMLINK\")";
        String link = "EventFields.isOp(this, \"LINK\")";
        f("evt.arg.target", FieldType.STRING, "a symlink's target text (file events)").on(EventType.FILE, "path", symlink).add();
        f("evt.arg.linkpath", FieldType.STRING, "the symlink created (file events)").on(EventType.FILE, "newPath", symlink).add();
        f("evt.arg.oldpath", FieldType.STRING, "a hard link's existing file (file events)").on(EventType.FILE, "path", link).add();
        f("evt.arg.newpath", FieldType.STRING, "the hard link created (file events)").on(EventType.FILE, "newPath", link).add();
        f("fd.opened_as", FieldType.STRING, "an open of a watched file by another name (a hard link, a bind mount): "
                + "the name used, while fd.name is the watched path; empty otherwise (file events)")
                .on(EventType.FILE, "newPath", "EventFields.isOp(this, \"OPEN\")").add();
        f("fd.name_given", FieldType.STRING, "a path call (unlink, rename, chmod, mkdir ...) through a symlinked directory or "
                + "a bind mount, or spelled with . or ..: the caller's text made absolute, while fd.name is the path through "
                + "the root; empty when they are the same (file events)").on(EventType.FILE, "pathGiven").add();
        f("file.newpath_given", FieldType.STRING, "file.newpath's text as the caller gave it (made absolute) when it ran through "
                + "a symlinked directory or a bind mount, or was spelled with . or ..; empty otherwise (file events)").on(EventType.FILE, "newPathGiven").add();
        f("fd.text_changed", FieldType.BOOL, "a path call (unlink, rename, chmod, mkdir ...) whose caller rewrote its path "
                + "buffer while the call ran (TOCTOU): fd.name and file.newpath are the text read at the call's entry, the one "
                + "the kernel copied (file events); an xattr call by path (setxattr, removexattr ...), a setuid/setgid chmod or a "
                + "mount call (mount, umount2, move_mount, open_tree, fspick, mount_setattr, pivot_root) whose path (mount: or "
                + "source) was rewritten so (syscall events: the strings are the text the kernel copies)")
                .on(EventType.FILE, "textChanged").on(EventType.SYSCALL, "textChanged()").add();
        f("fd.host_name", FieldType.STRING, "an open or a path call (unlink, rename, chmod, mkdir ...) in a container of a host "
                + "file through a bind mount (-v /etc:/host/etc, -v /:/host): the file's path on the host (/etc/shadow), while "
                + "fd.name is the container's name for it (/host/etc/shadow); empty for every other event, and for a container's "
                + "own files (file events)")
                .on(EventType.FILE, "hostPath").add();
        f("file.newpath_host", FieldType.STRING, "file.newpath's path on the host when a container's rename, link or symlink "
                + "made it in a host directory bound into the container (mv x /host/etc/cron.d/job: /etc/cron.d/job); empty "
                + "otherwise (file events)")
                .on(EventType.FILE, "hostNewPath").add();
        f("fd.other_proc_mem", FieldType.BOOL, "an open of /proc/PID/mem (or /proc/PID/task/TID/mem) of another process "
                + "than the caller's, judged in the kernel by the file's process, whatever pid namespace named it (file events)")
                .on(EventType.FILE, "otherProcessMemory").add();
        f("evt.arg.name", FieldType.STRING, "an open's path (Falco's argument name; file events)")
                .on(EventType.FILE, "path", "EventFields.isOp(this, \"OPEN\")").add();
        f("evt.arg.path", FieldType.STRING, "the path argument of mkdir, unlink, chmod, chown, truncate (file events) or of "
                + "the privilege sensor's calls that have one (syscall events)")
                .on(EventType.FILE, "path", "EventFields.hasPathArg(this)")
                .on(EventType.SYSCALL, "EventFields.str(strings, \"path\")", "strings.containsKey(\"path\")").add();
        f("evt.arg.filename", FieldType.STRING, "the file an exec ran (exec events)").on(EventType.EXEC, "exe").add();
        f("evt.arg.cmd", FieldType.STRING, "bpf's command as Falco names it (BPF_PROG_LOAD, ...; syscall events)")
                .on(EventType.SYSCALL, "EventFields.bpfCommand(arg(\"cmd\", 0))", "args.containsKey(\"cmd\")").add();
        f("evt.arg.mode#text", FieldType.STRING, "mode bits as Falco prints them (S_IRUSR|S_ISUID ...)")
                .on(EventType.FILE, "EventFields.modeBits(mode)").add();
        f("fd.sockfamily", FieldType.STRING, "ip or unix (socket events; empty for other families)")
                .on(EventType.NET, "EventFields.sockfamily(this)").add();
        for (String end : List.of("rip", "lip", "cip")) {
            String drl = switch (end) {
                case "rip" -> "remoteAddr";
                case "lip" -> "localAddr";
                default -> "EventFields.clientAddr(this)";
            };
            f("fd." + end + ".name", FieldType.HOST_NAME, "fd." + end + " compared with host names, as fd.sip.name")
                    .on(EventType.NET, drl).add();
        }
        f("evt.arg.flags#text", FieldType.STRING, "open flags as Falco prints them (O_WRONLY|O_CREAT|O_TRUNC); "
                + "mount(2)'s as MS_REMOUNT|MS_RDONLY, unshare's as CLONE_NEWNS|CLONE_NEWUSER, open_tree's as "
                + "OPEN_TREE_CLONE|AT_RECURSIVE (\"\" for the other syscall events)")
                .on(EventType.FILE, "EventFields.openFlags(flags)")
                .on(EventType.SYSCALL, "EventFields.syscallFlags(syscall, arg(\"flags\", 0))", "args.containsKey(\"flags\")").add();
        // Falco's name for setns's second argument; a rule searches it by name (evt.arg.nstype contains CLONE_NEWNS)
        f("evt.arg.nstype", FieldType.INT, "setns's nstype: the namespace types the file may be of, 0 for any (syscall events)")
                .on(EventType.SYSCALL, "arg(\"nstype\", 0)", "args.containsKey(\"nstype\")").add();
        f("evt.arg.nstype#text", FieldType.STRING, "setns's nstype as CLONE_NEWNS|CLONE_NEWNET (\"\" for 0)")
                .on(EventType.SYSCALL, "EventFields.namespaceTypes(arg(\"nstype\", 0))", "args.containsKey(\"nstype\")").add();
        for (String attrs : List.of("attr_set", "attr_clr")) {
            f("syscall.arg." + attrs + "#text", FieldType.STRING, "mount_setattr's " + attrs + " as MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID")
                    .on(EventType.SYSCALL, "EventFields.mountAttrs(arg(" + quote(attrs) + ", 0))", "args.containsKey(" + quote(attrs) + ")")
                    .add();
        }
    }

    private void defineUnavailable() {
        unavailable.put("evt.dir", "every event is reported once, at exit: drop evt.dir");
        unavailable.put("fd.nameraw", "file events carry the path the kernel resolved (symlinks and .. gone), not the text "
                + "the caller passed");
        unavailable.put("user.loginuid", "the audit login uid is not read");
        unavailable.put("user.loginname", "the audit login uid is not read");
        unavailable.put("group.name", "group names are not resolved: use group.gid");
        unavailable.put("proc.sname", "the session leader is not tracked");
        unavailable.put("proc.aexepath", "only by depth: use proc.aexepath[N]");
        unavailable.put("proc.env", "the environment of processes is not captured");
        unavailable.put("proc.is_vpgid_leader", "process groups are not tracked");
        unavailable.put("evt.is_open_exec", "opens are not told apart by exec permission");
        unavailable.put("container.mount.dest", "the container's mounts are not collected");
        unavailable.put("container.mounts", "the container's mounts are not collected");
        unavailable.put("evt.buffer", "read and write buffers are not captured");
        unavailable.put("fd.port", "use fd.sport or fd.cport");
        unavailable.put("evt.arg.fd", "use fd.num");
        unavailable.put("evt.arg.uid by name", "uid arguments are numbers here (a setuid's uid is not resolved to a name): compare with the number");
        unavailable.put("evt.arg.gid by name", "gid arguments are numbers here: compare with the number");
        unavailable.put("container.start_ts", "the container's start time is not collected");
        unavailable.put("evt.args", "events carry their arguments as fields, not as Falco's text: name the fields");
        for (String x : List.of("proc.exe_ino", "proc.exe_ino.ctime", "proc.exe_ino.mtime", "proc.exe_ino.ctime_duration_proc_start",
                "proc.exe_ino.ctime_duration_pidns_start")) {
            unavailable.put(x, "the executable's inode and times are not collected");
        }
        unavailable.put("fd.types", "fds other than the event's own are not tracked");
    }

    /** File and socket sensor calls (file.bpf.c, net.bpf.c): evt.type = one of them selects by syscall name. */
    private static final List<String> FILE_CALLS = List.of("open", "openat", "openat2", "creat", "open_by_handle_at",
            "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
            "truncate", "ftruncate", "chmod", "fchmodat", "fchmodat2", "fchmod", "chown", "lchown", "fchownat", "fchown",
            "mkdir", "mkdirat", "utimensat", "futimesat", "utimes", "utime");
    /** sendto, sendmsg, sendmmsg: a datagram sent with a destination, reported as a connect (net.bpf.c). */
    private static final List<String> NET_CALLS = List.of("connect", "bind", "accept", "accept4", "listen", "sendto",
            "sendmsg", "sendmmsg");
    /** Calls both the file sensor and the privilege sensor report (the latter for set-id mode bits). */
    private static final Set<String> ALSO_PRIV = Set.of("chmod", "fchmod", "fchmodat", "fchmodat2");

    private void defineKinds() {
        for (Arch a : Arch.values()) {
            try {
                syscallNames.addAll(SyscallTable.of(a).names());
            } catch (RuntimeException e) {
                // a missing table only weakens the check of syscall names
            }
        }
        Map<String, List<EventKind>> k = new LinkedHashMap<>();
        for (String n : List.of("exec", "execve", "execveat")) {
            k.put(n, List.of(new EventKind(EventType.EXEC, "")));
        }
        for (String n : List.of("exit", "procexit")) {
            k.put(n, List.of(new EventKind(EventType.EXIT, "")));
        }
        for (String n : List.of("fork", "vfork", "clone", "clone3")) {
            k.put(n, List.of(new EventKind(EventType.FORK, "")));
        }
        k.put("capability", List.of(new EventKind(EventType.CAP, "")));
        k.put("violation", List.of(new EventKind(EventType.VIOLATION, "")));
        for (String c : FILE_CALLS) {
            k.put(c, kindsOf(EventType.FILE, "syscall == \"" + c + "\"", c));
        }
        for (String c : NET_CALLS) {
            k.put(c, List.of(new EventKind(EventType.NET, "syscall == \"" + c + "\"")));
        }
        // An operation name covers every call that does it (open: open, openat, openat2, creat, ...).
        for (FileOp op : FileOp.values()) {
            String n = op.name().toLowerCase(Locale.ROOT);
            k.put(n, kindsOf(EventType.FILE, "op == FileOp." + op.name(), n));
        }
        for (NetOp op : NetOp.values()) {
            k.put(op.name().toLowerCase(Locale.ROOT), List.of(new EventKind(EventType.NET, "op == NetOp." + op.name())));
        }
        kinds.putAll(k);
    }

    private static List<EventKind> kindsOf(EventType t, String drl, String call) {
        List<EventKind> l = new ArrayList<>(List.of(new EventKind(t, drl)));
        if (ALSO_PRIV.contains(call)) {
            l.add(new EventKind(EventType.SYSCALL, "syscall == \"" + call + "\""));
        }
        return List.copyOf(l);
    }
}
