package io.eunomia.rules;

import io.eunomia.event.Event;
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
import io.eunomia.rules.internal.DrlExpression;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The fields rule conditions and output templates may use, Falco's names where the meaning is the
 * same, each mapped to the event records that carry it.
 *
 * <p>A field applies to some event types only (e.g. {@code fd.name}: file and network events). In a
 * condition, a comparison on a field the event does not have is false, as in Falco; the compiler
 * uses that to decide which event records a rule is about. Per event type, a field is one DRL
 * expression over the record (e.g. {@code process.comm}, {@code EventFields.cmdline(argv)}): what
 * generated rules constrain, what hand-written DRL rules use for the same value, and, run in Java
 * ({@link io.eunomia.rules.internal.DrlExpression}), what {@link #value} renders in outputs.
 *
 * <p>Fields Falco has but our events cannot serve honestly are not faked: {@link #unavailable}
 * says why (e.g. {@code proc.pcmdline}: events carry the parent's name, not its command line).
 */
public final class FieldCatalog {
    /**
     * One field.
     *
     * @param name        as written in conditions, e.g. "proc.name"
     * @param type        its type
     * @param description what it is, and where it differs from Falco
     * @param eventTypes  the event types that carry it
     * @param values      the allowed values of an enumerated field (lower case), else empty
     */
    public record Field(String name, FieldType type, String description, Set<EventType> eventTypes, List<String> values) {
        public Field {
            eventTypes = Set.copyOf(eventTypes);
            values = List.copyOf(values);
        }
    }

    /**
     * How one event type carries a field.
     *
     * @param drl    DRL expression over the record, inside its pattern (e.g. "process.comm"); for a
     *               bool field, a boolean expression
     * @param guard  DRL condition that must hold for the value to exist (e.g. a syscall argument the
     *               call has), or null when it always exists
     * @param reader the same two run in Java, for output rendering: null when the guard fails
     */
    public record Access(String drl, String guard, Function<Object, Object> reader) {
        static Access of(EventType t, String drl, String guard) {
            Function<Object, Object> value = DrlExpression.reader(drl, t.recordClass());
            if (guard == null) {
                return new Access(drl, null, value);
            }
            Function<Object, Object> exists = DrlExpression.reader(guard, t.recordClass());
            return new Access(drl, guard, e -> Boolean.TRUE.equals(exists.apply(e)) ? value.apply(e) : null);
        }
    }

    /** How {@code evt.type = NAME} selects records: the event type and a DRL constraint ("" for all of that type). */
    public record EventKind(EventType type, String drl) {}

    private record Def(Field field, Map<EventType, Access> access, Class<? extends Enum<?>> enumType) {}

    private final Map<String, Def> defs = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();
    private final Map<String, List<EventKind>> kinds = new LinkedHashMap<>();
    private final Set<String> syscallNames = new TreeSet<>();

    public static FieldCatalog standard() {
        return Holder.STANDARD;
    }

    /** Built on first use, after this class's static lists (FILE_CALLS, ...) are set. */
    private static final class Holder {
        static final FieldCatalog STANDARD = new FieldCatalog();
    }

    private FieldCatalog() {
        defineEvent();
        defineProcess();
        defineContainer();
        defineFile();
        defineNet();
        defineArgs();
        defineCap();
        defineViolation();
        defineUnavailable();
        defineKinds();
    }

    // ---- public API --------------------------------------------------------------------------

    /** The field of this name. */
    public Optional<Field> field(String name) {
        return def(name).map(Def::field);
    }

    /** Every field, in catalog order. */
    public Collection<Field> fields() {
        return defs.values().stream().map(Def::field).toList();
    }

    /** Why a Falco field is not offered, when it is one we know of. */
    public Optional<String> unavailable(String name) {
        return Optional.ofNullable(unavailable.get(name));
    }

    /** How an event type carries a field, when it does. */
    public Optional<Access> access(String field, EventType type) {
        return def(field).map(d -> d.access().get(type));
    }

    /** For an enumerated field (e.g. proc.stdin), the DRL constant of a value ("StreamKind.SOCKET"). */
    public Optional<String> enumConstant(String field, String value) {
        return def(field).filter(d -> d.enumType() != null && d.field().values().contains(value.toLowerCase(Locale.ROOT)))
                .map(d -> d.enumType().getSimpleName() + "." + value.toUpperCase(Locale.ROOT));
    }

    /**
     * What {@code evt.type = name} selects: e.g. "open" → file events with {@code op == FileOp.OPEN};
     * "openat" → file events with {@code syscall == "openat"}; "setuid" → syscall events. Empty
     * for a name that is no event type and no system call.
     */
    public List<EventKind> eventKinds(String name) {
        List<EventKind> k = kinds.get(name);
        if (k != null) {
            return k;
        }
        if (syscallNames.contains(name)) {
            return List.of(new EventKind(EventType.SYSCALL, "syscall == \"" + name + "\""));
        }
        return List.of();
    }

    /** Names evt.type takes besides system call names. */
    public Set<String> eventTypeNames() {
        return kinds.keySet();
    }

    /**
     * The value of a field for an event, for output templates: empty when the event type does not
     * carry the field (or, for syscall arguments, the call has no such argument). Enumerated
     * values are their lower-case names, as conditions write them.
     */
    public Optional<Object> value(String field, Event e) {
        Optional<Def> d = def(field);
        if (d.isEmpty()) {
            return Optional.empty();
        }
        Access a = d.get().access().get(e.type());
        return a == null ? Optional.empty() : Optional.ofNullable(a.reader().apply(e)).map(v -> v instanceof Enum<?> x ? lower(x) : v);
    }

    // ---- definitions -------------------------------------------------------------------------

    private Optional<Def> def(String name) {
        return Optional.ofNullable(defs.get(name));
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
            List<String> values = new ArrayList<>();
            if (enumType != null) {
                for (Enum<?> c : enumType.getEnumConstants()) {
                    values.add(c.name().toLowerCase(Locale.ROOT));
                }
            }
            defs.put(name, new Def(new Field(name, type, desc, access.keySet(), values), Map.copyOf(access), enumType));
        }
    }

    private F f(String name, FieldType type, String desc) {
        return new F(name, type, desc);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private void defineEvent() {
        f("evt.type", FieldType.STRING, "what happened: exec, exit, fork, a file operation (open, unlink, rename, link, "
                + "symlink, truncate, chmod, chown, mkdir), a socket operation (connect, accept, bind, listen), "
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
        f("proc.exe", FieldType.STRING, "absolute path of the executed file, symlinks resolved (exec events; "
                + "Falco's proc.exe is argv[0], ours is the path)").on(EventType.EXEC, "exe").add();
        f("proc.exepath", FieldType.STRING, "absolute path of the executed file (exec events)").on(EventType.EXEC, "exe").add();
        f("proc.script", FieldType.STRING, "a script the kernel ran through the interpreter it names (#!): its path "
                + "made absolute, as the caller named it (proc.exe is then the interpreter); empty otherwise (exec events)")
                .on(EventType.EXEC, "script").add();
        f("proc.cmdline", FieldType.STRING, "argv joined by spaces, argv[0] first (exec events)")
                .on(EventType.EXEC, "EventFields.cmdline(argv)").add();
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
        ctr("container.runtime", "process.container.runtime", "docker, podman, containerd, cri-o, runc, crun, host, unknown");
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
        net("fd.num", FieldType.INT, "fd", "the socket's fd (socket events)");
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
        args("mode", "open/chmod mode bits (-1 when the call has none)");
        args("uid", "chown's or setuid's uid (-1: unchanged or none)");
        args("gid", "chown's or setgid's gid (-1: unchanged or none)");
        f("evt.arg.status", FieldType.INT, "wait(2) status of an exit: exit code << 8, or the terminating signal (exit events)")
                .on(EventType.EXIT, "status").add();
        f("evt.arg.backlog", FieldType.INT, "listen's backlog, 0 for the other socket calls (socket events)")
                .on(EventType.NET, "backlog").add();
        // Each argument name the privilege sensor reports (io.eunomia.event.SyscallArguments).
        SyscallArguments.numberNames().forEach((arg, calls) -> f("syscall.arg." + arg, FieldType.INT,
                "numeric argument '" + arg + "' of " + String.join(", ", calls) + " (syscall events)")
                .on(EventType.SYSCALL, "arg(" + quote(arg) + ", 0)", "args.containsKey(" + quote(arg) + ")").add());
        SyscallArguments.stringNames().forEach((arg, calls) -> f("syscall.str." + arg, FieldType.STRING,
                "string argument '" + arg + "' of " + String.join(", ", calls) + " (syscall events)")
                .on(EventType.SYSCALL, "EventFields.str(strings, " + quote(arg) + ")", "strings.containsKey(" + quote(arg) + ")").add());
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
        viol("violation.action", FieldType.STRING, "action()", "killed or reported");
        viol("violation.suppressed", FieldType.INT, "suppressed",
                "violations of this kind in this container held back by the kernel's rate limit since the previous report");
        viol("violation.total", FieldType.INT, "total",
                "violations of this kind in this container since its profile was applied, this one included");
        viol("violation.profile", FieldType.STRING, "profile", "the profile applied to the container");
    }

    private void viol(String name, FieldType type, String drl, String desc) {
        f(name, type, desc).on(EventType.VIOLATION, drl).add();
    }

    private void defineUnavailable() {
        String noTable = "events carry the parent's pid (proc.ppid) and name (proc.pname) but not its command line "
                + "or executable, nor other ancestors: use proc.pname, or write a DRL rule that joins the parent's ExecEvent";
        unavailable.put("proc.pcmdline", noTable);
        unavailable.put("proc.pexe", noTable);
        unavailable.put("proc.aname", noTable);
        unavailable.put("proc.pexepath", noTable);
        unavailable.put("user.name", "user names are not resolved (container /etc/passwd differs from the host's): use user.uid");
        unavailable.put("evt.dir", "every event is reported once, at exit: drop evt.dir");
        unavailable.put("container.privileged", "the runtime's privileged flag is not collected");
        unavailable.put("fd.typechar", "use evt.type or fd.family");
    }

    /** File and socket sensor calls (file.bpf.c, net.bpf.c): evt.type = one of them selects by syscall name. */
    private static final List<String> FILE_CALLS = List.of("open", "openat", "openat2", "creat", "open_by_handle_at",
            "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
            "truncate", "ftruncate", "chmod", "fchmodat", "fchmodat2", "fchmod", "chown", "lchown", "fchownat", "fchown",
            "mkdir", "mkdirat");
    private static final List<String> NET_CALLS = List.of("connect", "bind", "accept", "accept4", "listen");
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
