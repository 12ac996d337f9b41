package io.eunomia.rules;

import io.eunomia.event.CapEvent;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.event.ProcessFacts;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SyscallEvent;
import io.eunomia.event.ViolationEvent;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.eunomia.rules.internal.FalcoValues;

/**
 * Values the rule fields derive from event records. Used both by generated DRL (which imports this
 * class) and by {@link FieldCatalog#value}, so a condition and an output template always agree.
 */
public final class EventFields {
    private static final int O_ACCMODE = 3;
    private static final int O_WRONLY = 1;
    private static final int O_RDWR = 2;

    private EventFields() {}

    /**
     * Falco's evt.type of an event: exec, exit, fork, the file or socket operation (open,
     * connect, ...), capability, or the system call of a syscall event.
     */
    public static String evtType(Event e) {
        return switch (e) {
            case ExecEvent x -> "exec";
            case ExitEvent x -> "exit";
            case ForkEvent x -> "fork";
            case FileEvent x -> x.op().name().toLowerCase(Locale.ROOT);
            case NetEvent x -> x.op().name().toLowerCase(Locale.ROOT);
            case CapEvent x -> "capability";
            case SyscallEvent x -> x.syscall();
            case ViolationEvent x -> "violation";
        };
    }

    /** Whether the exec failed (each record says what success is). One method per record: a direct call in rules. */
    public static boolean failed(ExecEvent e) {
        return !e.succeeded();
    }

    /** Whether the exec raised the permitted set from the file's capabilities (false when its credentials are not known). */
    public static boolean capsFromFile(ExecEvent e) {
        return e.credentials() != null && e.credentials().capsFromFile();
    }

    /** Whether the file operation failed. */
    public static boolean failed(FileEvent e) {
        return !e.succeeded();
    }

    /** Whether the socket call failed (a non-blocking connect under way has not). */
    public static boolean failed(NetEvent e) {
        return !e.succeeded();
    }

    /** Whether the system call failed. */
    public static boolean failed(SyscallEvent e) {
        return !e.succeeded();
    }

    /** The arguments after argv[0], space-separated (Falco's proc.args). */
    public static String args(List<String> argv) {
        return argv.size() <= 1 ? "" : String.join(" ", argv.subList(1, argv.size()));
    }

    /** argv joined by spaces. */
    public static String cmdline(List<String> argv) {
        return String.join(" ", argv);
    }

    /**
     * The last path split, by the path's identity: every rule that reads fd.directory or
     * fd.filename evaluates it on the same event's path, one after the other. Immutable, so
     * sessions on other threads at most miss.
     */
    private record PathParts(String path, String directory, String filename) {}

    private static PathParts lastPath = new PathParts("", "", "");

    private static PathParts parts(String path) {
        PathParts p = lastPath;
        if (p.path() != path) { // identity: the same event's path; equal contents of another event split again
            int i = path.lastIndexOf('/');
            p = new PathParts(path, i < 0 ? "" : i == 0 ? "/" : path.substring(0, i), path.substring(i + 1));
            lastPath = p;
        }
        return p;
    }

    /** The directory of an absolute path ("/etc" for "/etc/shadow", "/" for "/x"). */
    public static String directory(String path) {
        return parts(path).directory();
    }

    /** The last component of a path. */
    public static String filename(String path) {
        return parts(path).filename();
    }

    /** An open for writing (O_WRONLY or O_RDWR). */
    public static boolean isOpenWrite(FileEvent e) {
        int acc = e.flags() & O_ACCMODE;
        return e.op() == FileOp.OPEN && (acc == O_WRONLY || acc == O_RDWR);
    }

    /** An open for reading (O_RDONLY or O_RDWR). */
    public static boolean isOpenRead(FileEvent e) {
        int acc = e.flags() & O_ACCMODE;
        return e.op() == FileOp.OPEN && (acc == 0 || acc == O_RDWR);
    }

    /** Falco's fd.name for sockets: "lip:lport->rip:rport" for IP, the path for unix sockets. */
    public static String fdName(NetEvent e) {
        return switch (e.family()) {
            case UNIX -> e.remoteAddr().isEmpty() ? e.localAddr() : e.remoteAddr();
            case INET, INET6 -> hostPort(e.localAddr(), e.localPort()) + "->" + hostPort(e.remoteAddr(), e.remotePort());
            default -> "";
        };
    }

    private static String hostPort(String ip, int port) {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }

    /** Whether the local end is the server side (accept, bind, listen); a connect's server is the peer. */
    private static boolean localIsServer(NetEvent e) {
        return e.op() != NetOp.CONNECT;
    }

    public static String serverAddr(NetEvent e) {
        return localIsServer(e) ? e.localAddr() : e.remoteAddr();
    }

    public static int serverPort(NetEvent e) {
        return localIsServer(e) ? e.localPort() : e.remotePort();
    }

    public static String clientAddr(NetEvent e) {
        return localIsServer(e) ? e.remoteAddr() : e.localAddr();
    }

    public static int clientPort(NetEvent e) {
        return localIsServer(e) ? e.remotePort() : e.localPort();
    }

    public static String l4proto(NetEvent e) {
        return e.l4proto();
    }

    /** A string argument of a syscall event, "" when the call has none of that name. */
    public static String str(Map<String, String> strings, String name) {
        return strings.getOrDefault(name, "");
    }

    /**
     * The file capabilities an xattr write of security.capability sets, as getcap shows them
     * ("cap_net_raw,cap_setuid+ep", then the inheritable set "cap_x+i"); "" for other writes.
     */
    public static String fileCaps(Map<String, Long> args) {
        long permitted = args.getOrDefault("cap_permitted", 0L);
        long inheritable = args.getOrDefault("cap_inheritable", 0L);
        StringBuilder sb = new StringBuilder();
        if (permitted != 0) {
            sb.append(capNames(permitted)).append(args.getOrDefault("cap_effective", 0L) != 0 ? "+ep" : "+p");
        }
        if (inheritable != 0) {
            sb.append(sb.isEmpty() ? "" : " ").append(capNames(inheritable)).append("+i");
        }
        return sb.toString();
    }

    private static String capNames(long set) {
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < 64; n++) {
            if ((set & 1L << n) != 0) {
                int cap = n;
                sb.append(sb.isEmpty() ? "" : ",").append(io.eunomia.abi.Capability.of(n).map(c -> "cap_" + c.shortName())
                        .orElseGet(() -> "cap_" + cap));
            }
        }
        return sb.toString();
    }

    /** Falco's evt.res: "SUCCESS", or the errno's name ("EACCES") of a failed call. */
    public static String res(long result) {
        return result >= 0 ? "SUCCESS" : io.eunomia.abi.Errno.name((int) -result);
    }

    /** ISO-8601 UTC time with nanoseconds. */
    public static String time(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos).toString();
    }

    /** The access time a utimes call set, ISO-8601 UTC; "" when it set none (another op, UTIME_NOW, UTIME_OMIT). */
    public static String atimeSet(FileEvent e) {
        return e.times() == null ? "" : e.times().atime().map(Instant::toString).orElse("");
    }

    /** The modification time a utimes call set, ISO-8601 UTC; "" when it set none. */
    public static String mtimeSet(FileEvent e) {
        return e.times() == null ? "" : e.times().mtime().map(Instant::toString).orElse("");
    }

    // ---- process table facts (ProcessFacts) and Falco's textual forms -------------------------

    /** Whether the process table knows the ancestor at depth n (1 = parent). */
    public static boolean hasAncestor(ProcessInfo p, int n) {
        return p.facts().ancestor(n) != null;
    }

    /** Falco's proc.aname[n]: the ancestor's name at depth n (0 = the process itself). */
    public static String aname(ProcessInfo p, int n) {
        ProcessFacts.Ancestor a = p.facts().ancestor(n);
        return n == 0 ? p.comm() : a == null ? "" : a.name();
    }

    /** Falco's proc.apid[n]. */
    public static int apid(ProcessInfo p, int n) {
        ProcessFacts.Ancestor a = p.facts().ancestor(n);
        return n == 0 ? p.pid() : a == null ? -1 : a.pid();
    }

    public static String pexe(ProcessInfo p) {
        ProcessFacts.Ancestor a = p.facts().ancestor(1);
        return a == null ? "" : a.exe();
    }

    public static String pcmdline(ProcessInfo p) {
        ProcessFacts.Ancestor a = p.facts().ancestor(1);
        return a == null ? "" : a.cmdline();
    }

    /** Whether a file event is of an operation (by its FileOp name): a guard for arguments of one call family. */
    public static boolean isOp(FileEvent e, String op) {
        return e.op().name().equals(op);
    }

    /** Falco's fd.num of an open: the new fd, -1 when the open failed. */
    public static long openedFd(FileEvent e) {
        return e.result() >= 0 ? e.result() : -1;
    }

    /** Falco's proc.aexe[n]: the ancestor's executable (0 = the process's own). */
    public static String aexe(ProcessInfo p, int n) {
        ProcessFacts.Ancestor a = p.facts().ancestor(n);
        return n == 0 ? p.facts().exe() : a == null ? "" : a.exe();
    }

    public static boolean hasVpid(ProcessInfo p) {
        return p.facts().vpid() > 0;
    }

    /** Falco's thread.cap_permitted. */
    public static String capPermitted(ProcessInfo p) {
        return FalcoValues.capabilities(p.facts().capPermitted());
    }

    /** File events whose path is Falco's "path" argument (not an open's "name", not a link's or rename's pair). */
    public static boolean hasPathArg(FileEvent e) {
        return switch (e.op()) {
            case OPEN, LINK, SYMLINK, RENAME -> false;
            default -> true;
        };
    }

    /** Mode bits as Falco prints them: "S_IRUSR|S_IWUSR|S_ISUID". */
    public static String modeBits(int mode) {
        return FalcoValues.modeBits(mode);
    }

    /** Falco's fd.sockfamily: ip or unix. */
    public static String sockfamily(NetEvent e) {
        return switch (e.family()) {
            case INET, INET6 -> "ip";
            case UNIX -> "unix";
            default -> "";
        };
    }

    /** Whether a process-table text is known (not ""). */
    public static boolean known(String s) {
        return !s.isEmpty();
    }

    /** Nanoseconds since the process started, as Falco's proc.duration. */
    public static long duration(long epochNanos, ProcessInfo p) {
        return epochNanos - p.facts().startNanos();
    }

    public static boolean hasStart(ProcessInfo p) {
        return p.facts().startNanos() > 0;
    }

    public static boolean hasCaps(ProcessInfo p) {
        return p.facts().capEffective() >= 0;
    }

    /**
     * A container's process (by its cgroup) in the host's mount namespace: it entered the host's
     * filesystem view (nsenter -t 1 -m, setns on /proc/1/ns/mnt). The host's namespace is pid 1's
     * on the machine the rules run on, as the sensors that recorded the event see it.
     */
    public static boolean inHostMntns(ProcessInfo p) {
        return !p.container().isHost() && p.container().isResolved() && p.mntns() == HostMountNamespace.INODE;
    }

    /** A container process with every capability the host can give and no seccomp filter, as --privileged runs it. */
    public static boolean privileged(ProcessInfo p) {
        ProcessFacts f = p.facts();
        return !p.container().isHost() && f.allCapabilities() && f.seccomp() == 0;
    }

    /** Falco's thread.cap_effective: "CAP_CHOWN CAP_DAC_OVERRIDE ...". */
    public static String capEffective(ProcessInfo p) {
        return FalcoValues.capabilities(p.facts().capEffective());
    }

    /** Falco's container.image.repository: the reference without its tag or digest. */
    public static String imageRepository(String image) {
        int at = image.indexOf('@');
        String s = at >= 0 ? image.substring(0, at) : image;
        int colon = s.lastIndexOf(':');
        return colon > s.lastIndexOf('/') ? s.substring(0, colon) : s;
    }

    /** Falco's container.image.tag: the tag, "" when the reference has none. */
    public static String imageTag(String image) {
        int at = image.indexOf('@');
        String s = at >= 0 ? image.substring(0, at) : image;
        int colon = s.lastIndexOf(':');
        return colon > s.lastIndexOf('/') ? s.substring(colon + 1) : "";
    }

    /** Falco's fd.typechar: f for files, 4/6 for IP sockets, u for unix sockets, o otherwise. */
    public static String typechar(NetEvent e) {
        return switch (e.family()) {
            case INET -> "4";
            case INET6 -> "6";
            case UNIX -> "u";
            default -> "o";
        };
    }

    /** Falco's fd.type: ipv4, ipv6, unix, netlink, ... */
    public static String fdType(NetEvent e) {
        return switch (e.family()) {
            case INET -> "ipv4";
            case INET6 -> "ipv6";
            default -> e.family().name().toLowerCase(Locale.ROOT);
        };
    }

    /** Falco's fd.connected: a connect or accept that succeeded (an in-progress connect counts). */
    public static boolean connected(NetEvent e) {
        return (e.op() == NetOp.CONNECT || e.op() == NetOp.ACCEPT) && !failed(e);
    }

    /** Both ends' addresses (client, server) for Falco's fd.ip and fd.net, which match either. */
    public static List<String> ips(NetEvent e) {
        return List.of(clientAddr(e), serverAddr(e));
    }

    /** Whether the address lies in any of the networks (Match.SEP-separated). */
    public static boolean inNet(String address, String nets) {
        for (String n : nets.split(String.valueOf(Match.SEP))) {
            if (FalcoValues.inNet(address, n)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any of the addresses lies in any of the networks. */
    public static boolean inNet(List<String> addresses, String nets) {
        return addresses.stream().anyMatch(a -> inNet(a, nets));
    }

    /** Whether the address is one of the host names' addresses (Falco's fd.sip.name = NAME). */
    public static boolean named(String ip, String names) {
        for (String n : names.split(String.valueOf(Match.SEP))) {
            if (FalcoValues.resolvesTo(ip, n)) {
                return true;
            }
        }
        return false;
    }

    public static String ptraceRequest(long request) {
        return FalcoValues.ptraceRequest(request);
    }

    public static String bpfCommand(long cmd) {
        return FalcoValues.bpfCommand(cmd);
    }

    /**
     * A call's flags as names: mount(2)'s (MS_*), unshare(2)'s (CLONE_*), open_tree's (OPEN_TREE_CLONE,
     * AT_RECURSIVE ...); "" for the other calls, whose flags are not named here.
     */
    public static String syscallFlags(String syscall, long flags) {
        return switch (syscall) {
            case "mount" -> FalcoValues.mountFlags(flags);
            case "unshare" -> FalcoValues.cloneFlags(flags);
            case "open_tree", "open_tree_attr" -> FalcoValues.openTreeFlags(flags);
            default -> "";
        };
    }

    /** setns(2)'s nstype as names (CLONE_NEWNS ...); "" for 0, any type. */
    public static String namespaceTypes(long nstype) {
        return FalcoValues.cloneFlags(nstype);
    }

    public static String mountAttrs(long attrs) {
        return FalcoValues.mountAttrs(attrs);
    }

    public static String socketFamily(long family) {
        return FalcoValues.socketFamily(family);
    }

    public static String openFlags(int flags) {
        return FalcoValues.openFlags(flags);
    }

    /** Whether any element of a multi-valued field (proc.aname) compares true. */
    public static boolean any(List<String> values, String op, String operands) {
        for (String v : values) {
            boolean hit = switch (op) {
                case "=" -> v.equals(operands);
                case "in" -> Match.in(v, operands);
                case "contains" -> v.contains(operands);
                case "icontains" -> Match.icontains(v, operands);
                case "startswith" -> v.startsWith(operands);
                case "endswith" -> v.endsWith(operands);
                case "glob" -> Match.glob(v, operands);
                case "pmatch" -> Match.pmatch(v, operands);
                default -> false;
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }
}
