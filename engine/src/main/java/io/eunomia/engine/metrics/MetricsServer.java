package io.eunomia.engine.metrics;

import io.eunomia.engine.control.ControlException;
import io.eunomia.engine.control.internal.HttpExchange;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Serves {@code GET /metrics} in the Prometheus text format. Binds to 127.0.0.1 unless told
 * otherwise: metrics describe the host's processes and should not be readable from the network by
 * default. Read-only: there is no control endpoint.
 *
 * <p>Its own small server, not the JDK's {@code HttpServer}: that one's dispatcher wakes every
 * second ({@code select(1000)}) and its idle-timeout timer every 10 s, scraped or not, which made it
 * the largest share of an idle monitor's CPU (~0.06% of a CPU, bench/README.md). Here a blocked
 * {@code accept} and a blocked read with a socket timeout wait without waking. One request per
 * connection ({@code Connection: close}; Prometheus reconnects per scrape), each on its own thread.
 */
public final class MetricsServer implements AutoCloseable {
    public static final InetSocketAddress DEFAULT_ADDRESS = new InetSocketAddress("127.0.0.1", 9464);
    private static final System.Logger LOG = System.getLogger(MetricsServer.class.getName());
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    /** Scrapes served at once; more connections are refused with 503 (a scraper needs one). */
    static final int MAX_CONCURRENT = 4;
    /** A peer that connects and does not finish its request within this is dropped. */
    static final int READ_TIMEOUT_MILLIS = 10_000;

    private final ServerSocket server;
    private final PrometheusMeterRegistry registry;
    private final Semaphore slots = new Semaphore(MAX_CONCURRENT);
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean open = true;

    private MetricsServer(ServerSocket server, PrometheusMeterRegistry registry) {
        this.server = server;
        this.registry = registry;
    }

    /** Starts serving; port 0 picks a free port (see {@link #address()}). */
    public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(address, 16);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        MetricsServer m = new MetricsServer(socket, registry);
        Thread.ofPlatform().name("eunomia-metrics").daemon().start(m::acceptLoop);
        return m;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (open) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (open) {
                    LOG.log(Level.WARNING, "metrics: accept failed, /metrics is no longer served: " + e.getMessage());
                }
                return;
            }
            if (!slots.tryAcquire()) {
                try (c) {
                    HttpExchange.write(Channels.newChannel(c.getOutputStream()), 503, TEXT,
                            bytes("busy: " + MAX_CONCURRENT + " scrapes are being served; retry\n"));
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "metrics: refusing a connection: " + e.getMessage());
                }
                continue;
            }
            connections.add(c);
            Thread.ofPlatform().name("eunomia-metrics-scrape").daemon().start(() -> {
                try {
                    serve(c);
                } finally {
                    connections.remove(c);
                    slots.release();
                }
            });
        }
    }

    private void serve(Socket c) {
        try (c) {
            c.setSoTimeout(READ_TIMEOUT_MILLIS);
            WritableByteChannel out = Channels.newChannel(c.getOutputStream());
            HttpExchange.Request request;
            try {
                request = HttpExchange.read(Channels.newChannel(c.getInputStream()));
            } catch (ControlException e) {   // not a request we can read
                HttpExchange.write(out, e.status(), TEXT, bytes(e.getMessage() + "\n"));
                return;
            }
            boolean head = request.method().equals("HEAD");
            if (!request.path().equals("/metrics")) {
                HttpExchange.write(out, 404, TEXT, bytes("only /metrics is served here\n"));
            } else if (!head && !request.method().equals("GET")) {
                HttpExchange.write(out, 405, TEXT, bytes("GET /metrics\n"), "Allow: GET, HEAD");
            } else {
                // HEAD: the headers alone (Content-Length 0: the scrape is not rendered for nothing)
                HttpExchange.write(out, 200, CONTENT_TYPE, head ? new byte[0] : bytes(registry.scrape()));
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "metrics: connection ended: " + e.getMessage());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        open = false;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "metrics: closing the listening socket: " + e.getMessage());
        }
        for (Socket c : connections) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "metrics: closing a connection: " + e.getMessage());
            }
        }
    }
}
