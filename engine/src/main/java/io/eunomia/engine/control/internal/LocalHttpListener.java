package io.eunomia.engine.control.internal;

import io.eunomia.engine.control.ControlException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The accept loop of the monitor's small local HTTP servers (/metrics, the control API): one
 * request per connection, each on a thread of its own, at most {@link Limits#maxConcurrent} at once
 * (as many more are answered 503 once their request is read, beyond that closed), a request not sent within {@link Limits#readDeadline} is dropped, and
 * close() ends the listening socket and every connection still open.
 *
 * <p>Not the JDK's {@code HttpServer}: its dispatcher wakes every second and its idle timer every
 * 10 s, served or not. Here a blocked accept and a blocked read wait without waking; the one timer
 * thread holds only the deadlines of requests being read (cancelled ones are removed at once), so
 * an idle listener has no timer to run.
 */
public final class LocalHttpListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LocalHttpListener.class.getName());

    /** What a server does with its connections. */
    public interface Service {
        /** Answers a request read in time (the connection is closed after). */
        void answer(SocketChannel c, HttpExchange.Request request) throws IOException;

        /** Answers with an error: a request that could not be read, or a connection beyond the limit. */
        void refuse(SocketChannel c, int status, String message) throws IOException;
    }

    /**
     * @param maxConcurrent connections served at once
     * @param readDeadline  time a peer has to send its whole request
     * @param busy          the 503's message beyond maxConcurrent
     */
    public record Limits(int maxConcurrent, Duration readDeadline, String busy) {}

    private final String name;
    private final ServerSocketChannel server;
    private final Limits limits;
    private final Service service;
    private final Semaphore slots;
    private final Semaphore refusals;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor deadlines;
    private final Thread acceptor;
    private volatile boolean open = true;

    private LocalHttpListener(String name, ServerSocketChannel server, Limits limits, Service service) {
        this.name = name;
        this.server = server;
        this.limits = limits;
        this.service = service;
        this.slots = new Semaphore(limits.maxConcurrent());
        this.refusals = new Semaphore(limits.maxConcurrent());
        this.deadlines = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name(name + "-deadlines").daemon().factory());
        // A cancelled deadline (the request came in time: nearly always) leaves the queue at once.
        deadlines.setRemoveOnCancelPolicy(true);
        this.acceptor = Thread.ofPlatform().name(name).daemon().unstarted(this::acceptLoop);
    }

    /**
     * Serves the bound socket; name is the accept thread's ("eunomia-metrics"), request threads add
     * "-request", the deadline timer "-deadlines".
     */
    public static LocalHttpListener start(String name, ServerSocketChannel bound, Limits limits, Service service) {
        LocalHttpListener l = new LocalHttpListener(name, bound, limits, service);
        l.acceptor.start();
        return l;
    }

    /** A TCP listening socket on at; no address given: 127.0.0.1 (what a local server should be bound to). */
    public static ServerSocketChannel bindTcp(InetSocketAddress at) throws IOException {
        InetSocketAddress where = at == null ? new InetSocketAddress("127.0.0.1", 0) : at;
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(where, 16);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public ServerSocketChannel channel() {
        return server;
    }

    private void acceptLoop() {
        while (open) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (open) {
                    LOG.log(Level.WARNING, name + ": accept failed, it stops serving: " + e.getMessage());
                }
                return;
            }
            boolean served = slots.tryAcquire();
            // Beyond the limit the request is still read (as many at once again) before the 503: a
            // connection closed with its request unread is reset, and the peer may lose the answer.
            if (!served && !refusals.tryAcquire()) {
                closeQuietly(c);
                continue;
            }
            connections.add(c);
            Thread.ofPlatform().name(name + "-request").daemon().start(() -> {
                try {
                    serve(c, served);
                } finally {
                    connections.remove(c);
                    (served ? slots : refusals).release();
                }
            });
        }
    }

    /** served false: over the limit, the request is read and answered 503. */
    private void serve(SocketChannel c, boolean served) {
        try (c) {
            HttpExchange.Request request;
            ScheduledFuture<?> deadline;
            try {
                deadline = deadlines.schedule(() -> closeQuietly(c), limits.readDeadline().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return;  // accepted just before close() stopped the timer: the connection ends with the listener
            }
            try {
                request = HttpExchange.read(c);
            } catch (ControlException e) {   // not a request we can read
                service.refuse(c, served ? e.status() : 503, served ? e.getMessage() : limits.busy());
                return;
            } finally {
                deadline.cancel(false);
            }
            if (served) {
                service.answer(c, request);
            } else {
                service.refuse(c, 503, limits.busy());
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, name + ": connection ended: " + e.getMessage());
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Stops accepting, ends the connections still open, and the timer. */
    @Override
    public void close() {
        open = false;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, name + ": closing the listening socket: " + e.getMessage());
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(LocalHttpListener::closeQuietly);
        deadlines.shutdownNow();
    }
}
