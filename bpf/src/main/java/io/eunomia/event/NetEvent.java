package io.eunomia.event;

/**
 * A socket operation with its addresses and result.
 *
 * @param family     AF_INET, AF_INET6 or AF_UNIX as {@link SocketFamily}
 * @param localAddr  local address (IPv4/IPv6 text) or unix socket path; empty when unknown
 * @param remoteAddr peer address or unix path; empty when unknown
 * @param result     the syscall's return: 0, an fd (accept), or -errno
 */
public record NetEvent(long epochNanos, ProcessInfo process, NetOp op, String syscall, int fd, SocketFamily family,
                       String localAddr, int localPort, String remoteAddr, int remotePort, long result)
        implements Event {
    @Override
    public EventType type() {
        return EventType.NET;
    }

    public boolean succeeded() {
        return result >= 0 || result == -115; // EINPROGRESS: a non-blocking connect under way
    }
}
