package io.eunomia.event;

/**
 * A socket operation with its addresses and result.
 *
 * <p>For a call that succeeded the addresses are the kernel's view of the socket (a bind to port 0
 * shows the port the kernel chose; a connect shows the local port it picked); for a failed connect
 * or bind they are what the caller asked for.
 *
 * @param syscall    the system call name (connect, accept4, ...)
 * @param fd         the socket: the call's argument, or the new connection's fd for a successful accept
 * @param family     the address family; {@link SocketFamily#OTHER} for families not decoded
 * @param socketType stream, datagram, ...; {@link SocketType#UNKNOWN} when the fd is not a socket
 * @param protocol   IPPROTO_* number of the socket (6 TCP, 17 UDP, ...); 0 for unix sockets or unknown
 * @param localAddr  local IPv4/IPv6 address as text ("0.0.0.0" and "::" for any), or a unix socket
 *                   path ("@name" for an abstract name); empty when unknown or unbound
 * @param remoteAddr peer address or unix path in the same forms; empty when unknown or not connected.
 *                   An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is shown as the IPv4 address
 *                   a.b.c.d so that rules on IPv4 addresses match dual-stack sockets too
 * @param backlog    listen's backlog; 0 for other operations
 * @param result     the syscall's return: 0, an fd (accept), or -errno
 */
public record NetEvent(long epochNanos, ProcessInfo process, NetOp op, String syscall, int fd, SocketFamily family,
                       SocketType socketType, int protocol, String localAddr, int localPort, String remoteAddr,
                       int remotePort, int backlog, long result) implements Event {
    private static final long EINPROGRESS = 115;

    @Override
    public NetEvent withProcess(ProcessInfo newProcess) {
        return new NetEvent(epochNanos, newProcess, op, syscall, fd, family, socketType, protocol, localAddr, localPort, remoteAddr, remotePort, backlog, result);
    }

    @Override
    public EventType type() {
        return EventType.NET;
    }

    /** Whether the call did what was asked, counting a non-blocking connect that is under way. */
    public boolean succeeded() {
        return result >= 0 || result == -EINPROGRESS;
    }

    /** The transport in Falco's words: "tcp", "udp", "icmp", "raw", "unix", or "" when not known. */
    public String l4proto() {
        if (family == SocketFamily.UNIX) {
            return "unix";
        }
        if (socketType == SocketType.RAW) {
            return "raw";
        }
        return switch (protocol) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1, 58 -> "icmp";  // ping sockets (SOCK_DGRAM, IPPROTO_ICMP/ICMPV6)
            default -> "";
        };
    }
}
