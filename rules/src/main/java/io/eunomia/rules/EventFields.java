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
import io.eunomia.event.SyscallEvent;
import io.eunomia.event.ViolationEvent;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    /** The directory of an absolute path ("/etc" for "/etc/shadow", "/" for "/x"). */
    public static String directory(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : i == 0 ? "/" : path.substring(0, i);
    }

    /** The last component of a path. */
    public static String filename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
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

    /** Falco's evt.res: "SUCCESS", or the errno's name ("EACCES") of a failed call. */
    public static String res(long result) {
        return result >= 0 ? "SUCCESS" : io.eunomia.abi.Errno.name((int) -result);
    }

    /** ISO-8601 UTC time with nanoseconds. */
    public static String time(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos).toString();
    }
}
