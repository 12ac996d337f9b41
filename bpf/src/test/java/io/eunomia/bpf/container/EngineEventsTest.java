package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Result;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Engine API event stream of podman's compat service (the same API as dockerd's): containers
 * removed with {@code --rm} stay named; the reader waits for a service that is not there yet,
 * resumes after the service went away and came back with the events it missed meanwhile, and
 * forgets the oldest containers past its bound, counting them. An idle stream stays connected, also
 * when its daemon answers pings slowly; one whose daemon hangs after its headers stops counting as connected.
 * Events are taken while a ping waits for its answer (a real dockerd behind a proxy that holds pings).
 */
class EngineEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    /**
     * A silent stream waited on is pinged after 100 ms rather than the product's second: the tests that
     * count pings or wait for a hung daemon's do not wait out the product's silence; the product's ping
     * timeout is kept where a slow or held answer must fit in it.
     */
    private static final Duration SHORT_SILENCE = Duration.ofMillis(100);
    private static final EngineEvents.Pings QUICK_PINGS = new EngineEvents.Pings(SHORT_SILENCE, EngineEvents.PING_TIMEOUT);

    private static Podman podman;

    @BeforeAll
    static void start() {
        podman = Podman.start("localhost/eunomia-busybox:events");
    }

    @AfterAll
    static void stop() {
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void namesRemovedContainersFromAServiceThatCameLateAndOneThatWasAwayMeanwhile() throws Exception {
        Path socket = podman.workDir().resolve("api.sock");
        try (EngineEvents events = EngineEvents.start(socket)) {
            assertThat(events.connected()).as("no service yet").isFalse();
            assertThat(podman.startApiService()).isEqualTo(socket);
            String before = runRemoved("ev-a");
            await(() -> events.lookup(before).isPresent(), "the first container's events");
            assertThat(events.lookup(before)).contains(new EngineEvents.Names(nameOf(before), podman.image(), "", ""));
            assertThat(events.engine()).isEqualTo("podman");

            podman.stopApiService();
            await(() -> !events.connected(), "the stream to end with the service");
            String meanwhile = runRemoved("ev-b"); // its events are only in podman's event log while no service runs
            podman.startApiService();
            await(() -> events.lookup(meanwhile).isPresent(), "the events missed while the service was away");
            assertThat(events.lookup(meanwhile).map(EngineEvents.Names::name)).contains(nameOf(meanwhile));
        }
    }

    @Test
    void forgetsTheOldestPastItsBoundAndCountsThem() throws Exception {
        Path socket = podman.startApiService();
        try (EngineEvents events = EngineEvents.start(socket, 2)) {
            await(events::connected, "the stream to open");
            String first = runRemoved("ev-c");
            await(() -> events.lookup(first).isPresent(), "the first container's events");
            String second = runRemoved("ev-d");
            String third = runRemoved("ev-e");
            await(() -> events.lookup(third).isPresent(), "the third container's events");
            assertThat(events.lookup(second)).isPresent();
            assertThat(events.lookup(first)).as("the oldest, past a bound of 2").isEmpty();
            assertThat(events.forgotten()).isEqualTo(1);
        }
    }

    /**
     * Docker sends nothing on the stream while idle: a daemon that answers its pings keeps it
     * connected. A lookup waits on the stream meanwhile (asks whether it is connected), so the silent
     * stream is pinged every {@link EngineEvents#SILENCE_BEFORE_PING}, not every {@link EngineEvents#IDLE_PING}.
     */
    @Test
    void anIdleStreamWhoseDaemonAnswersStaysConnected() throws Exception {
        Path socket = podman.startApiService();
        try (EngineEvents events = EngineEvents.start(socket, EngineEvents.CAPACITY, QUICK_PINGS)) {
            await(events::connected, "the stream to open");
            await(() -> events.connected() && events.pingsAnswered() >= 3, "three pings of the idle stream answered");
            assertThat(events.connected()).isTrue();
            String id = runRemoved("ev-idle");
            await(() -> events.lookup(id).isPresent(), "the container's events on the stream that was idle");
        }
    }

    /**
     * A daemon that sent its stream's headers and then hangs (answers nothing more, pings included)
     * stops counting as connected, so lookups stop waiting for events from it; before, the stream
     * stayed "connected" for as long as the hung daemon kept the connection open. Its pings time out
     * after 500 ms here, not the product's 5 s: what is tested is that an unanswered ping ends the
     * stream's connectedness, not how long the product waits for an answer.
     */
    @Test
    void aDaemonThatHangsAfterSendingItsHeadersStopsCountingAsConnected(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("docker.sock");
        try (FakeDocker daemon = FakeDocker.start(socket, Duration.ZERO, false);
             EngineEvents events = EngineEvents.start(socket, EngineEvents.CAPACITY,
                     new EngineEvents.Pings(SHORT_SILENCE, Duration.ofMillis(500)))) {
            await(events::connected, "the stream to open while the daemon answers");
            daemon.hung.set(true);
            await(() -> !events.connected(), "the stream to stop counting as connected once its daemon hung");
        }
    }

    /**
     * A busy daemon (podman's service on a loaded host) answers a ping in 1.5 s: it is slow, not hung,
     * and its stream keeps counting as connected through pings while a lookup waits on it. Before,
     * a ping had 1 s: the stream never counted as connected (its headers' ping timed out; this test
     * failed), and one slow answer made lookups settle by id while the container's events were on their way.
     */
    @Test
    void aDaemonWhosePingAnswersAreSlowStaysConnected(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("docker.sock");
        try (FakeDocker daemon = FakeDocker.start(socket, Duration.ofMillis(1500), false);
             EngineEvents events = EngineEvents.start(socket, EngineEvents.CAPACITY, QUICK_PINGS)) {
            await(events::connected, "the stream to open while the daemon answers slowly");
            awaitStayingConnected(events, () -> events.pingsAnswered() >= 3, "three slow pings of the silent stream answered");
        }
    }

    /**
     * A daemon that ends the stream cleanly (as a proxy or a daemon's reload may) and takes the new
     * one at once: the stream keeps counting as connected while it is made again (it resumes where it
     * ended), so a lookup meanwhile still waits for its container's events. Before, every clean end
     * counted as disconnected for the reconnect's backoff (this test failed: it saw it disconnected).
     */
    @Test
    void aStreamThatEndsCleanlyKeepsCountingAsConnectedWhileItIsMadeAgain(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("docker.sock");
        try (FakeDocker daemon = FakeDocker.start(socket, Duration.ZERO, true);
             EngineEvents events = EngineEvents.start(socket)) {
            await(events::connected, "the stream to open");
            int opened = daemon.accepted.size();
            awaitStayingConnected(events, () -> daemon.accepted.size() >= opened + 6, // 3 more streams, each with its ping
                    "three more streams made after clean ends");
        }
    }

    /**
     * A real dockerd whose pings wait for their answer (behind a proxy that holds them, as a busy
     * daemon is slow to answer) while its containers' events are sent: the events are taken as they
     * come, both while the new stream's first ping waits and while a ping of the silent stream does;
     * once the pings are answered the stream counts as connected. Failed on the old code, whose reader
     * sent the pings itself and read nothing until the answer: it never took the first container's
     * events (each held ping timed out, the stream was made again and pinged again).
     */
    @Test
    void eventsAreTakenWhileTheDaemonsPingWaitsForItsAnswer(@TempDir Path tmp) throws Exception {
        try (Dockerd docker = Dockerd.start("eunomia-busybox:ping");
             PingHoldingProxy daemon = PingHoldingProxy.start(tmp.resolve("docker.sock"), docker.socket());
             EngineEvents events = EngineEvents.start(daemon.socket(), EngineEvents.CAPACITY, QUICK_PINGS)) {
            daemon.hold();
            await(() -> daemon.pingsHeld() >= 1, "the new stream's first ping, held");
            String first = runRemoved(docker, "ev-ping-a");
            await(() -> events.lookup(first).isPresent(), "the first container's events while the stream's ping waits");
            // One stream: the events came on it while its ping was held, not replayed (since=) by a
            // stream made again after the ping timed out.
            assertThat(daemon.eventStreams()).as("GET /events connections").isEqualTo(1);
            assertThat(events.lookup(first)).contains(new EngineEvents.Names(nameOf(first), docker.image(), "", ""));
            assertThat(events.engine()).isEqualTo("docker");

            daemon.release();
            await(events::connected, "the stream to count as connected once its daemon answered");
            daemon.hold();
            int held = daemon.pingsHeld();
            await(() -> events.connected() && daemon.pingsHeld() > held, "a ping of the silent stream a lookup waits on, held");
            String second = runRemoved(docker, "ev-ping-b");
            await(() -> events.lookup(second).isPresent(), "the second container's events while the silent stream's ping waits");
            assertThat(daemon.eventStreams()).as("GET /events connections").isEqualTo(1);
            daemon.release();
        }
    }

    /**
     * A unix socket in front of a real daemon's that passes every request through, except that a
     * {@code GET /_ping} made while it holds pings waits, unanswered, until {@link #release}.
     */
    private static final class PingHoldingProxy implements AutoCloseable {
        private final Path socket;
        private final Path upstream;
        private final ServerSocketChannel server;
        private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
        private final AtomicInteger held = new AtomicInteger();
        private final AtomicInteger eventStreams = new AtomicInteger();
        private volatile CountDownLatch holding = new CountDownLatch(0);

        private PingHoldingProxy(Path socket, Path upstream, ServerSocketChannel server) {
            this.socket = socket;
            this.upstream = upstream;
            this.server = server;
        }

        static PingHoldingProxy start(Path socket, Path upstream) throws IOException {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            PingHoldingProxy proxy = new PingHoldingProxy(socket, upstream, server);
            serve(server, "ping-holding-proxy", proxy.open, proxy::pass);
            return proxy;
        }

        Path socket() {
            return socket;
        }

        void hold() {
            holding = new CountDownLatch(1);
        }

        void release() {
            holding.countDown();
        }

        /** Pings that were held (answered or not since). */
        int pingsHeld() {
            return held.get();
        }

        /** {@code GET /events} requests passed on: each is a stream the client made. */
        int eventStreams() {
            return eventStreams.get();
        }

        private void pass(SocketChannel client) {
            try (client; SocketChannel daemon = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                open.add(daemon);
                ByteBuffer head = ByteBuffer.allocate(8192);
                String request = "";
                while (!request.contains("\r\n\r\n") && client.read(head) > 0) {
                    request = new String(head.array(), 0, head.position(), StandardCharsets.US_ASCII);
                }
                if (request.startsWith("GET /_ping")) {
                    CountDownLatch latch = holding;
                    if (latch.getCount() > 0) {
                        held.incrementAndGet();
                        latch.await();
                    }
                } else if (request.startsWith("GET /events")) {
                    eventStreams.incrementAndGet();
                }
                daemon.connect(UnixDomainSocketAddress.of(upstream));
                head.flip();
                while (head.hasRemaining()) {
                    daemon.write(head);
                }
                Thread.ofVirtual().start(() -> copy(client, daemon));
                copy(daemon, client);  // HTTP/1.0: the daemon closes after its answer (or its stream)
            } catch (IOException | InterruptedException closed) {
                // closed by the client, the daemon or the test's end
            }
        }

        private static void copy(SocketChannel from, SocketChannel to) {
            ByteBuffer buf = ByteBuffer.allocate(16384);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException closed) {
                // either side went
            }
        }

        @Override
        public void close() throws IOException {
            holding.countDown();
            server.close();
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
    }

    /**
     * A unix socket server like dockerd while {@code hung} is false: {@code GET /events} gets the
     * stream's headers and then nothing (no container event happens), {@code GET /_ping} gets "OK"
     * after {@code pingDelay}. Once {@code hung} is set it answers nothing, and the open stream stays
     * open and silent. With {@code endAfterHeaders} it closes each stream right after its headers, cleanly.
     */
    private record FakeDocker(ServerSocketChannel server, AtomicBoolean hung, Duration pingDelay, boolean endAfterHeaders,
                              List<SocketChannel> accepted) implements AutoCloseable {
        static FakeDocker start(Path socket, Duration pingDelay, boolean endAfterHeaders) throws IOException {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            FakeDocker daemon = new FakeDocker(server, new AtomicBoolean(), pingDelay, endAfterHeaders,
                    new CopyOnWriteArrayList<>());
            serve(server, "fake-docker", daemon.accepted, daemon::answer);
            return daemon;
        }

        private void answer(SocketChannel ch) {
            try {
                ByteBuffer buf = ByteBuffer.allocate(4096);
                String request = "";
                while (!request.contains("\r\n\r\n") && ch.read(buf) > 0) {
                    request = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
                }
                if (hung.get()) {
                    return;
                }
                if (request.startsWith("GET /events")) {
                    ch.write(ByteBuffer.wrap(("HTTP/1.0 200 OK\r\nServer: Docker/20.10.24 (linux)\r\n"
                            + "Content-Type: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                    if (endAfterHeaders) {
                        ch.close();
                    }
                } else if (request.startsWith("GET /_ping")) {
                    Thread.sleep(pingDelay);
                    ch.write(ByteBuffer.wrap("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nOK".getBytes(StandardCharsets.US_ASCII)));
                    ch.close();
                }
            } catch (IOException | InterruptedException closed) {
                // closed by the client or the test's end
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (SocketChannel ch : accepted) {
                ch.close();
            }
        }
    }

    /** Accepts connections until server closes, each kept in accepted and answered on a virtual thread of its own. */
    private static void serve(ServerSocketChannel server, String name, List<SocketChannel> accepted,
                              Consumer<SocketChannel> answer) {
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                while (true) {
                    SocketChannel ch = server.accept();
                    accepted.add(ch);
                    Thread.ofVirtual().start(() -> answer.accept(ch));
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
    }

    private final Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();

    /** A container removed as it exits; its id. */
    private String runRemoved(String prefix) {
        return runRemoved(podman, prefix);
    }

    private String runRemoved(ContainerEngine engine, String prefix) {
        String name = OciRuntime.uniqueId(prefix);
        Result r = engine.run(name, Map.of(), List.of("true"), true, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.id()).as("id of " + name).isNotBlank();
        names.put(r.id(), name);
        return r.id();
    }

    private String nameOf(String id) {
        return names.get(id);
    }

    /**
     * Awaits {@code condition} while asking, as a lookup waiting on the stream does, whether it is
     * connected; fails if it ever was not.
     */
    private static void awaitStayingConnected(EngineEvents events, BooleanSupplier condition, String what)
            throws InterruptedException {
        AtomicBoolean dropped = new AtomicBoolean();
        await(() -> {
            dropped.compareAndSet(false, !events.connected());
            return dropped.get() || condition.getAsBoolean();
        }, what);
        assertThat(dropped).as("stopped counting as connected before " + what).isFalse();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("waited " + WAIT + " for " + what).isTrue();
            Thread.sleep(20);
        }
    }
}
