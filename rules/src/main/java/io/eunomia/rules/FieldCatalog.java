package io.eunomia.rules;

import io.eunomia.event.CapEvent;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.EventType;
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
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The fields rule conditions and output templates may use, Falco's names where the meaning is the
 * same, each mapped to the event records that carry it.
 *
 * <p>A field applies to some event types only (e.g. {@code fd.name}: file and network events). In a
 * condition, a comparison on a field the event does not have is false, as in Falco; the compiler
 * uses that to decide which event records a rule is about. Per event type, a field has a DRL
 * expression over the record (what generated rules constrain) and a Java reader (what
 * {@link #value} uses to render outputs), precomputed once.
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
     * @param reader the same value in Java, for output rendering; enumerated values as lower-case names
     */
    public record Access(String drl, String guard, Function<Event, Object> reader) {}

    /** How {@code evt.type = NAME} selects records: the event type and a DRL constraint ("" for all of that type). */
    public record EventKind(EventType type, String drl) {}

    private record Def(Field field, Map<EventType, Access> access, Class<? extends Enum<?>> enumType) {}

    private final Map<String, Def> defs = new LinkedHashMap<>();
    private final Map<String, Def> dynamic = new ConcurrentHashMap<>();
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

    /** The field of this name; {@code syscall.arg.NAME} and {@code syscall.str.NAME} for any NAME. */
    public Optional<Field> field(String name) {
        return def(name).map(Def::field);
    }

    /** Every fixed field, in catalog order (the {@code syscall.arg.*} family not expanded). */
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
     * The value of a field for an event, for output templates and exceptions: empty when the event
     * type does not carry the field (or, for syscall arguments, the call has no such argument).
     * No reflection: a map lookup and a precomputed reader.
     */
    public Optional<Object> value(String field, Event e) {
        Optional<Def> d = def(field);
        if (d.isEmpty()) {
            return Optional.empty();
        }
        Access a = d.get().access().get(e.type());
        return a == null ? Optional.empty() : Optional.ofNullable(a.reader().apply(e));
    }

    // ---- definitions -------------------------------------------------------------------------

    private Optional<Def> def(String name) {
        Def d = defs.get(name);
        if (d != null) {
            return Optional.of(d);
        }
        if (name.startsWith("syscall.arg.") && name.length() > "syscall.arg.".length()) {
            return Optional.of(dynamic.computeIfAbsent(name, n -> syscallArg(n.substring("syscall.arg.".length()))));
        }
        if (name.startsWith("syscall.str.") && name.length() > "syscall.str.".length()) {
            return Optional.of(dynamic.computeIfAbsent(name, n -> syscallStr(n.substring("syscall.str.".length()))));
        }
        return Optional.empty();
    }

    private static Def syscallArg(String arg) {
        String q = quote(arg);
        Map<EventType, Access> m = Map.of(EventType.SYSCALL, new Access("arg(" + q + ", 0)", "args.containsKey(" + q + ")",
                e -> ((SyscallEvent) e).args().get(arg)));
        return new Def(new Field("syscall.arg." + arg, FieldType.INT,
                "numeric argument '" + arg + "' of a syscall event (e.g. syscall.arg.uid of setuid)",
                Set.of(EventType.SYSCALL), List.of()), m, null);
    }

    private static Def syscallStr(String arg) {
        String q = quote(arg);
        Map<EventType, Access> m = Map.of(EventType.SYSCALL, new Access("EventFields.str(strings, " + q + ")",
                "strings.containsKey(" + q + ")", e -> ((SyscallEvent) e).strings().get(arg)));
        return new Def(new Field("syscall.str." + arg, FieldType.STRING,
                "string argument '" + arg + "' of a syscall event (e.g. syscall.str.target of mount)",
                Set.of(EventType.SYSCALL), List.of()), m, null);
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

        F on(EventType t, String drl, Function<Event, Object> reader) {
            access.put(t, new Access(drl, null, reader));
            return this;
        }

        F on(EventType t, String drl, String guard, Function<Event, Object> reader) {
            access.put(t, new Access(drl, guard, reader));
            return this;
        }

        F all(String drl, Function<Event, Object> reader) {
            for (EventType t : EventType.values()) {
                on(t, drl, reader);
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

    private static Object lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private void defineEvent() {
        f("evt.type", FieldType.STRING, "what happened: exec, exit, fork, a file operation (open, unlink, rename, link, "
                + "symlink, truncate, chmod, chown, mkdir), a socket operation (connect, accept, bind, listen), "
                + "capability, violation (of a learned profile), or a system call name (setuid, ptrace, mount, ...); "
                + "=, != and in only")
                .all("", FieldCatalog::eventTypeName).add();
        f("evt.rawtime", FieldType.INT, "event time, nanoseconds since the epoch").all("epochNanos", Event::epochNanos).add();
        f("evt.time", FieldType.STRING, "event time, ISO-8601 UTC").all("EventFields.time(epochNanos)",
                e -> EventFields.time(e.epochNanos())).add();
        f("evt.rawres", FieldType.INT, "the call's return value: 0, an fd, or -errno")
                .on(EventType.EXEC, "result", e -> ((ExecEvent) e).result())
                .on(EventType.FILE, "result", e -> ((FileEvent) e).result())
                .on(EventType.NET, "result", e -> ((NetEvent) e).result())
                .on(EventType.SYSCALL, "result", e -> ((SyscallEvent) e).result()).add();
        f("evt.res", FieldType.STRING, "SUCCESS, or the error's name (EACCES, ENOENT, ...) of a failed call")
                .on(EventType.EXEC, "EventFields.res(result)", e -> EventFields.res(((ExecEvent) e).result()))
                .on(EventType.FILE, "EventFields.res(result)", e -> EventFields.res(((FileEvent) e).result()))
                .on(EventType.NET, "EventFields.res(result)", e -> EventFields.res(((NetEvent) e).result()))
                .on(EventType.SYSCALL, "EventFields.res(result)", e -> EventFields.res(((SyscallEvent) e).result())).add();
        f("evt.failed", FieldType.BOOL, "the call failed (an in-progress non-blocking connect counts as success)")
                .on(EventType.EXEC, "result != 0", e -> !((ExecEvent) e).succeeded())
                .on(EventType.FILE, "result < 0", e -> !((FileEvent) e).succeeded())
                .on(EventType.NET, "(result < 0 && result != -115)", e -> !((NetEvent) e).succeeded())
                .on(EventType.SYSCALL, "result < 0", e -> !((SyscallEvent) e).succeeded()).add();
        f("syscall.type", FieldType.STRING, "the system call behind a file, socket, capability or syscall event "
                + "(openat, accept4, ...; empty for a capability check outside a call)")
                .on(EventType.FILE, "syscall", e -> ((FileEvent) e).syscall())
                .on(EventType.NET, "syscall", e -> ((NetEvent) e).syscall())
                .on(EventType.CAP, "syscall", e -> ((CapEvent) e).syscall())
                .on(EventType.SYSCALL, "syscall", e -> ((SyscallEvent) e).syscall()).add();
    }

    private void defineProcess() {
        proc("proc.name", FieldType.STRING, "process.comm", ProcessInfo::comm,
                "command name (15 characters at most); for exec events the new program's");
        proc("proc.pid", FieldType.INT, "process.pid", ProcessInfo::pid, "process id (thread group id)");
        proc("thread.tid", FieldType.INT, "process.tid", ProcessInfo::tid, "thread id");
        proc("proc.ppid", FieldType.INT, "process.ppid", ProcessInfo::ppid, "parent process id");
        proc("proc.pname", FieldType.STRING, "process.pcomm", ProcessInfo::pcomm,
                "the parent process's command name (what /proc/PPID/comm shows, 15 characters at most) when the "
                        + "event happened; once the parent has exited, that of the new parent (init or a subreaper)");
        proc("proc.pidns", FieldType.INT, "process.pidns", ProcessInfo::pidns, "pid namespace inode number");
        proc("proc.mntns", FieldType.INT, "process.mntns", ProcessInfo::mntns, "mount namespace inode number");
        proc("user.uid", FieldType.INT, "process.uid", ProcessInfo::uid, "real user id");
        proc("user.euid", FieldType.INT, "process.euid", ProcessInfo::euid, "effective user id");
        proc("group.gid", FieldType.INT, "process.gid", ProcessInfo::gid, "real group id");
        proc("group.egid", FieldType.INT, "process.egid", ProcessInfo::egid, "effective group id");
        f("proc.exe", FieldType.STRING, "absolute path of the executed file, symlinks resolved (exec events; "
                + "Falco's proc.exe is argv[0], ours is the path)").on(EventType.EXEC, "exe", e -> ((ExecEvent) e).exe()).add();
        f("proc.exepath", FieldType.STRING, "absolute path of the executed file (exec events)")
                .on(EventType.EXEC, "exe", e -> ((ExecEvent) e).exe()).add();
        f("proc.cmdline", FieldType.STRING, "argv joined by spaces, argv[0] first (exec events)")
                .on(EventType.EXEC, "EventFields.cmdline(argv)", e -> ((ExecEvent) e).cmdline()).add();
        f("proc.args", FieldType.STRING, "the arguments after argv[0], joined by spaces (exec events)")
                .on(EventType.EXEC, "EventFields.args(argv)", e -> EventFields.args(((ExecEvent) e).argv())).add();
        f("proc.argv", FieldType.STRINGS, "argv as a list; 'contains' tests for a whole element (exec events)")
                .on(EventType.EXEC, "argv", e -> ((ExecEvent) e).argv()).add();
        f("proc.argc", FieldType.INT, "number of arguments (exec events)").on(EventType.EXEC, "argc", e -> ((ExecEvent) e).argc()).add();
        f("proc.tty", FieldType.STRING, "controlling terminal name, e.g. pts0, empty when none (exec events; Falco's is a number)")
                .on(EventType.EXEC, "tty", e -> ((ExecEvent) e).tty()).add();
        f("proc.stdin", FieldType.STRING, "what stdin is: none, file, pipe, socket, tty, char, other (exec events)")
                .on(EventType.EXEC, "stdin", e -> lower(((ExecEvent) e).stdin())).enumOf(StreamKind.class).add();
        f("proc.stdout", FieldType.STRING, "what stdout is (exec events)")
                .on(EventType.EXEC, "stdout", e -> lower(((ExecEvent) e).stdout())).enumOf(StreamKind.class).add();
        f("proc.stderr", FieldType.STRING, "what stderr is (exec events)")
                .on(EventType.EXEC, "stderr", e -> lower(((ExecEvent) e).stderr())).enumOf(StreamKind.class).add();
    }

    private void proc(String name, FieldType type, String drl, Function<ProcessInfo, Object> get, String desc) {
        f(name, type, desc).all(drl, e -> get.apply(e.process())).add();
    }

    private void defineContainer() {
        ctr("container.id", "process.container.id", ContainerInfo::id,
                "full container id (64 hex for docker/podman; Falco shows 12), 'host' on the host, empty if unresolved");
        ctr("container.name", "process.container.name", ContainerInfo::name, "container name, 'host' on the host");
        ctr("container.image", "process.container.image", ContainerInfo::image, "image reference, empty when unknown");
        ctr("container.runtime", "process.container.runtime", ContainerInfo::runtime,
                "docker, podman, containerd, cri-o, runc, crun, host, unknown");
        ctr("container.type", "process.container.runtime", ContainerInfo::runtime, "same as container.runtime (Falco's name)");
        ctr("k8s.pod.name", "process.container.podName", ContainerInfo::podName, "Kubernetes pod name, empty outside one");
        ctr("k8s.ns.name", "process.container.podNamespace", ContainerInfo::podNamespace, "Kubernetes namespace, empty outside a pod");
    }

    private void ctr(String name, String drl, Function<ContainerInfo, Object> get, String desc) {
        f(name, FieldType.STRING, desc).all(drl, e -> get.apply(e.process().container())).add();
    }

    private void defineFile() {
        f("fd.name", FieldType.STRING, "file events: the path acted upon; socket events: lip:lport->rip:rport, "
                + "or the unix socket path")
                .on(EventType.FILE, "path", e -> ((FileEvent) e).path())
                .on(EventType.NET, "EventFields.fdName(this)", e -> EventFields.fdName((NetEvent) e)).add();
        f("fd.directory", FieldType.STRING, "directory of the path (file events)")
                .on(EventType.FILE, "EventFields.directory(path)", e -> EventFields.directory(((FileEvent) e).path())).add();
        f("fd.filename", FieldType.STRING, "last component of the path (file events)")
                .on(EventType.FILE, "EventFields.filename(path)", e -> EventFields.filename(((FileEvent) e).path())).add();
        f("file.newpath", FieldType.STRING, "the name a rename, link or symlink created (file events)")
                .on(EventType.FILE, "newPath", e -> ((FileEvent) e).newPath()).add();
        f("evt.is_open_write", FieldType.BOOL, "an open for writing (O_WRONLY or O_RDWR)")
                .on(EventType.FILE, "EventFields.isOpenWrite(this)", e -> EventFields.isOpenWrite((FileEvent) e)).add();
        f("evt.is_open_read", FieldType.BOOL, "an open for reading (O_RDONLY or O_RDWR)")
                .on(EventType.FILE, "EventFields.isOpenRead(this)", e -> EventFields.isOpenRead((FileEvent) e)).add();
    }

    private void defineNet() {
        f("fd.num", FieldType.INT, "the socket's fd (socket events)").on(EventType.NET, "fd", e -> ((NetEvent) e).fd()).add();
        net("fd.lip", FieldType.STRING, "localAddr", NetEvent::localAddr, "local address (socket events)");
        net("fd.lport", FieldType.INT, "localPort", NetEvent::localPort, "local port");
        net("fd.rip", FieldType.STRING, "remoteAddr", NetEvent::remoteAddr, "remote address");
        net("fd.rport", FieldType.INT, "remotePort", NetEvent::remotePort, "remote port");
        net("fd.sip", FieldType.STRING, "EventFields.serverAddr(this)", EventFields::serverAddr,
                "server address, as in Falco: the peer of a connect, the local end of accept/bind/listen");
        net("fd.sport", FieldType.INT, "EventFields.serverPort(this)", EventFields::serverPort, "server port");
        net("fd.cip", FieldType.STRING, "EventFields.clientAddr(this)", EventFields::clientAddr, "client address");
        net("fd.cport", FieldType.INT, "EventFields.clientPort(this)", EventFields::clientPort, "client port");
        net("fd.dip", FieldType.STRING, "EventFields.serverAddr(this)", EventFields::serverAddr,
                "destination of the connection: same as fd.sip (the server side)");
        net("fd.dport", FieldType.INT, "EventFields.serverPort(this)", EventFields::serverPort,
                "destination port: same as fd.sport");
        net("fd.l4proto", FieldType.STRING, "EventFields.l4proto(this)", NetEvent::l4proto, "tcp, udp, icmp, raw, unix or empty");
        f("fd.family", FieldType.STRING, "address family: unix, inet, inet6, netlink, packet, other")
                .on(EventType.NET, "family", e -> lower(((NetEvent) e).family())).enumOf(SocketFamily.class).add();
        f("fd.socktype", FieldType.STRING, "socket type: stream, dgram, raw, rdm, seqpacket, packet, unknown")
                .on(EventType.NET, "socketType", e -> lower(((NetEvent) e).socketType())).enumOf(SocketType.class).add();
    }

    private void net(String name, FieldType type, String drl, Function<NetEvent, Object> get, String desc) {
        f(name, type, desc).on(EventType.NET, drl, e -> get.apply((NetEvent) e)).add();
    }

    private void defineArgs() {
        args("flags", "open flags (O_*) or an *at call's flags", FileEvent::flags);
        args("mode", "open/chmod mode bits (-1 when the call has none)", FileEvent::mode);
        args("uid", "chown's or setuid's uid", FileEvent::uid);
        args("gid", "chown's or setgid's gid", FileEvent::gid);
    }

    private void args(String arg, String desc, Function<FileEvent, Object> get) {
        String q = quote(arg);
        f("evt.arg." + arg, FieldType.INT, desc + " (file and syscall events)")
                .on(EventType.FILE, arg, e -> get.apply((FileEvent) e))
                .on(EventType.SYSCALL, "arg(" + q + ", 0)", "args.containsKey(" + q + ")",
                        e -> ((SyscallEvent) e).args().get(arg)).add();
    }

    private void defineCap() {
        f("cap.name", FieldType.STRING, "capability checked, e.g. CAP_SYS_ADMIN")
                .on(EventType.CAP, "capName", e -> ((CapEvent) e).capName()).add();
        f("cap.num", FieldType.INT, "capability number").on(EventType.CAP, "capability", e -> ((CapEvent) e).capability()).add();
        f("cap.granted", FieldType.BOOL, "whether the check passed")
                .on(EventType.CAP, "granted", e -> ((CapEvent) e).granted()).add();
        f("cap.host", FieldType.BOOL, "checked against the host's user namespace (real privilege over the host)")
                .on(EventType.CAP, "usernsLevel == 0", e -> ((CapEvent) e).inHostUserNamespace()).add();
    }

    private void defineViolation() {
        f("violation.kind", FieldType.STRING, "what stepped outside the container's learned profile: syscall, capability, exec "
                + "(profile violation events, only while profiles are enforced)")
                .on(EventType.VIOLATION, "kind", e -> lower(((ViolationEvent) e).kind())).enumOf(ViolationKind.class).add();
        viol("violation.syscall", FieldType.STRING, "syscall", ViolationEvent::syscall,
                "syscall kind: the call (mknod, or syscall_<n> without a name); capability kind: the call the check was made in");
        viol("violation.syscall_nr", FieldType.INT, "syscallNumber", ViolationEvent::syscallNumber,
                "the call's number in its ABI (-1 when none)");
        viol("violation.abi", FieldType.STRING, "abi", ViolationEvent::abi,
                "the call's ABI: x86_64, aarch64, or x86 for a 32-bit call on x86_64");
        viol("violation.cap", FieldType.STRING, "capName", ViolationEvent::capName, "capability kind: e.g. CAP_NET_RAW");
        viol("violation.cap_granted", FieldType.BOOL, "capGranted", ViolationEvent::capGranted,
                "capability kind: whether the check passed");
        viol("violation.exe", FieldType.STRING, "exe", ViolationEvent::exe,
                "exec kind: the executed file, resolved as the container sees it");
        viol("violation.subject", FieldType.STRING, "subject()", ViolationEvent::subject,
                "what was outside the profile: the syscall, the capability or the executable");
        viol("violation.killed", FieldType.BOOL, "killed", ViolationEvent::killed,
                "the process was sent SIGKILL (enforce mode); the call itself still ran");
        viol("violation.action", FieldType.STRING, "action()", ViolationEvent::action, "killed or reported");
        viol("violation.suppressed", FieldType.INT, "suppressed", ViolationEvent::suppressed,
                "violations of this kind in this container held back by the kernel's rate limit since the previous report");
        viol("violation.total", FieldType.INT, "total", ViolationEvent::total,
                "violations of this kind in this container since its profile was applied, this one included");
        viol("violation.profile", FieldType.STRING, "profile", ViolationEvent::profile, "the profile applied to the container");
    }

    private void viol(String name, FieldType type, String drl, Function<ViolationEvent, Object> get, String desc) {
        f(name, type, desc).on(EventType.VIOLATION, drl, e -> get.apply((ViolationEvent) e)).add();
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

    private static Object eventTypeName(Event e) {
        return switch (e) {
            case ExecEvent x -> "exec";
            case io.eunomia.event.ExitEvent x -> "exit";
            case io.eunomia.event.ForkEvent x -> "fork";
            case FileEvent x -> lower(x.op());
            case NetEvent x -> lower(x.op());
            case CapEvent x -> "capability";
            case SyscallEvent x -> x.syscall();
            case ViolationEvent x -> "violation";
        };
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
