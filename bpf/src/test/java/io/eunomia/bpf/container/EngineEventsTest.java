package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Engine API event stream of podman's compat service (the same API as dockerd's): containers
 * removed with {@code --rm} stay named; the reader waits for a service that is not there yet,
 * resumes after the service went away and came back with the events it missed meanwhile, and
 * forgets the oldest containers past its bound, counting them. An idle stream stays connected; one
 * whose daemon hangs after its headers stops counting as connected.
 */
class EngineEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

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

    /** Docker sends nothing on the stream while idle: a daemon that answers its pings keeps it connected. */
    @Test
    void anIdleStreamWhoseDaemonAnswersStaysConnected() throws Exception {
        Path socket = podman.startApiService();
        try (EngineEvents events = EngineEvents.start(socket)) {
            await(events::connected, "the stream to open");
            await(() -> events.pingsAnswered() >= 3, "three pings of the idle stream answered");
            assertThat(events.connected()).isTrue();
            String id = runRemoved("ev-idle");
            await(() -> events.lookup(id).isPresent(), "the container's events on the stream that was idle");
        }
    }

    /**
     * A daemon that sent its stream's headers and then hangs (answers nothing more, pings included)
     * stops counting as connected, so lookups stop waiting for events from it; before, the stream
     * stayed "connected" for as long as the hung daemon kept the connection open.
     */
    @Test
    void aDaemonThatHangsAfterSendingItsHeadersStopsCountingAsConnected(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("docker.sock");
        AtomicBoolean hung = new AtomicBoolean();
        List<SocketChannel> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel server = headersThenSilence(socket, hung, accepted);
             EngineEvents events = EngineEvents.start(socket)) {
            await(events::connected, "the stream to open while the daemon answers");
            hung.set(true);
            await(() -> !events.connected(), "the stream to stop counting as connected once its daemon hung");
        } finally {
            for (SocketChannel ch : accepted) {
                ch.close();
            }
        }
    }

    /**
     * A unix socket server like dockerd while {@code hung} is false: {@code GET /events} gets the
     * stream's headers and then nothing (no container event happens), {@code GET /_ping} gets "OK".
     * Once {@code hung} is set it answers nothing, and the open stream stays open and silent.
     */
    private static ServerSocketChannel headersThenSilence(Path socket, AtomicBoolean hung, List<SocketChannel> accepted)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("silent-docker").start(() -> {
            try {
                while (true) {
                    SocketChannel ch = server.accept();
                    accepted.add(ch);
                    Thread.ofVirtual().start(() -> answer(ch, hung));
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        return server;
    }

    private static void answer(SocketChannel ch, AtomicBoolean hung) {
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
            } else if (request.startsWith("GET /_ping")) {
                ch.write(ByteBuffer.wrap("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nOK".getBytes(StandardCharsets.US_ASCII)));
                ch.close();
            }
        } catch (IOException closed) {
            // closed by the client or the test's end
        }
    }

    private final Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();

    /** A container removed as it exits; its id. */
    private String runRemoved(String prefix) {
        String name = OciRuntime.uniqueId(prefix);
        Result r = podman.run(name, Map.of(), List.of("true"), true, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.id()).as("id of " + name).isNotBlank();
        names.put(r.id(), name);
        return r.id();
    }

    private String nameOf(String id) {
        return names.get(id);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("waited " + WAIT + " for " + what).isTrue();
            Thread.sleep(20);
        }
    }
}
