package io.eunomia.engine.control;

import io.eunomia.engine.control.internal.HttpExchange;
import io.eunomia.engine.control.internal.LocalHttpListener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Serves the control API (HTTP/1.1, one request per connection) on a unix socket or on loopback
 * TCP. Who may ask:
 * <ul>
 * <li>unix socket: the peer's user (SO_PEERCRED) must be the monitor's own (root); the socket is
 *     0600 in a 0700 directory, so others cannot even connect — and if someone opens the modes up,
 *     the peer check still answers 403;</li>
 * <li>TCP: bound to a loopback address only, every request needs {@code Authorization: Bearer
 *     TOKEN} (401 without it or with another token).</li>
 * </ul>
 * Requests are bounded in size and time (5 s to send one); at most 8 are served at once, more are
 * answered 503.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());
    public static final Path DEFAULT_SOCKET = Path.of("/run/eunomia/eunomia.sock");
    private static final int MAX_CONCURRENT = 8;
    private static final long READ_DEADLINE_MILLIS = 5_000;

    /** Where the API is served. */
    public sealed interface Endpoint {
        record Unix(Path socket) implements Endpoint {}

        /** @param token the bearer token every request must carry */
        record Tcp(InetSocketAddress address, byte[] token) implements Endpoint {}
    }

    private final Endpoint endpoint;
    private final ServerSocketChannel server;
    private final LocalHttpListener listener;

    private ControlServer(Endpoint endpoint, ServerSocketChannel server, LocalHttpListener listener) {
        this.endpoint = endpoint;
        this.server = server;
        this.listener = listener;
    }

    /**
     * @throws IllegalArgumentException for a TCP address that is not loopback, or a socket
     *                                  directory that others can enter and that is not ours to fix
     * @throws IOException              when the socket cannot be bound (in use: says so)
     */
    public static ControlServer start(Endpoint endpoint, ControlApi api) throws IOException {
        ServerSocketChannel server = switch (endpoint) {
            case Endpoint.Unix u -> bindUnix(u.socket());
            case Endpoint.Tcp t -> bindTcp(t.address());
        };
        Requests requests;
        try {
            requests = new Requests(endpoint, api, Files.getOwner(Path.of("/proc/self")));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new ControlServer(endpoint, server, LocalHttpListener.start("eunomia-control", server,
                new LocalHttpListener.Limits(MAX_CONCURRENT, Duration.ofMillis(READ_DEADLINE_MILLIS),
                        "busy: " + MAX_CONCURRENT + " requests are being served; retry"), requests));
    }

    private static ServerSocketChannel bindTcp(InetSocketAddress at) throws IOException {
        if (at.isUnresolved() || !at.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--control-listen " + at.getHostString() + ":" + at.getPort()
                    + " is not a loopback address: the control API is local only (127.0.0.1:PORT or [::1]:PORT)");
        }
        try {
            return LocalHttpListener.bindTcp(at);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + at.getHostString() + ":" + at.getPort() + " (" + e.getMessage() + ")", e);
        }
    }

    private static ServerSocketChannel bindUnix(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        var perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            if (!Files.getOwner(dir).equals(Files.getOwner(Path.of("/proc/self")))) {
                throw new IllegalArgumentException(dir + " is open to others and not ours: choose a --control-socket in a "
                        + "directory only this user can enter");
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new IOException(socket + " exists and is not a socket: move it, or choose another --control-socket");
            }
            if (answers(socket)) {
                throw new IOException(socket + " is served by another process (another monitor?): stop it, or choose "
                        + "another --control-socket");
            }
            Files.delete(socket);   // left by a monitor that was killed
        }
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            s.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot serve the control API on " + socket + " (" + e.getMessage() + ")", e);
        }
        return s;
    }

    private static boolean answers(Path socket) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return c.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /** For the ready line: "unix:/run/eunomia/eunomia.sock" or "http://127.0.0.1:PORT". */
    public String where() {
        return switch (endpoint) {
            case Endpoint.Unix u -> "unix:" + u.socket();
            case Endpoint.Tcp t -> {
                try {
                    InetSocketAddress a = (InetSocketAddress) server.getLocalAddress();
                    yield "http://" + (a.getAddress() instanceof java.net.Inet6Address ? "[" + a.getHostString() + "]"
                            : a.getHostString()) + ":" + a.getPort();
                } catch (IOException e) {
                    yield "http://" + t.address();
                }
            }
        };
    }

    /** Who may ask (after the request is read: curl then sees the answer), then the API; self: the monitor's user. */
    private record Requests(Endpoint endpoint, ControlApi api, UserPrincipal self) implements LocalHttpListener.Service {
        @Override
        public void answer(SocketChannel c, HttpExchange.Request request) throws IOException {
            ControlApi.Response refused = refusal(c);
            if (refused != null) {
                respond(c, refused);
                return;
            }
            if (endpoint instanceof Endpoint.Tcp t && !bearerMatches(request.header("authorization"), t.token())) {
                HttpExchange.write(c, 401, "application/json", ControlApi.bytes(ControlApi.error(401,
                        "give the token: Authorization: Bearer $(cat TOKEN_FILE)").body()), "WWW-Authenticate: Bearer");
                return;
            }
            ControlApi.Response response;
            try {
                response = api.handle(request);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "control API: " + request.method() + " " + request.path() + " failed: " + e, e);
                response = ControlApi.error(500, "internal error: " + e);
            }
            respond(c, response);
        }

        @Override
        public void refuse(SocketChannel c, int status, String message) throws IOException {
            respond(c, ControlApi.error(status, message));
        }

        /** On a unix socket: a peer that is not the monitor's own user (root) is refused before it says anything. */
        private ControlApi.Response refusal(SocketChannel c) throws IOException {
            if (!(endpoint instanceof Endpoint.Unix)) {
                return null;
            }
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (peer.user().equals(self)) {
                return null;
            }
            LOG.log(Level.WARNING, "control API: refused a request of user " + peer.user().getName());
            return ControlApi.error(403, "only " + self.getName() + " may control this monitor (you are " + peer.user().getName() + ")");
        }
    }

    static boolean bearerMatches(String header, byte[] token) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // Constant time: how much of a guess matched must not show in the answer's timing.
        return MessageDigest.isEqual(header.substring(7).strip().getBytes(StandardCharsets.US_ASCII), token);
    }

    private static void respond(SocketChannel c, ControlApi.Response r) throws IOException {
        HttpExchange.write(c, r.status(), "application/json", ControlApi.bytes(r.body()));
    }

    @Override
    public void close() {
        listener.close();
        if (endpoint instanceof Endpoint.Unix u) {
            try {
                Files.deleteIfExists(u.socket());
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "removing " + u.socket() + ": " + e.getMessage());
            }
        }
    }
}
