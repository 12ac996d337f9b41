package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Docker daemon that accepts and never answers costs no events: the real sensors, a real runc
 * container in a Docker-style cgroup ({@code /docker/<id>}, so its name is asked of the API), host
 * processes working all along. The host's events pass while the container's wait; the container's
 * arrive once the API timed out, named by the id its cgroup gives; none of them is lost.
 */
class HungDockerApiTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    @TempDir
    Path tmp;

    @Test
    void hostEventsFlowWhileTheContainersWaitAndNoneIsLost() throws Exception {
        Path socket = tmp.resolve("docker.sock");
        List<SocketChannel> accepted = new CopyOnWriteArrayList<>();
        List<String> requests = new CopyOnWriteArrayList<>();
        String id = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
        String marker = "/eunomia-hung-" + id.substring(0, 12);  // an argument no other process uses
        ContainerSpec spec = ContainerSpec.of("sh", "-c", "cat /etc/hostname " + marker + "; exec sleep 30")
                .withConfigEdit(c -> ((ObjectNode) c.get("linux")).put("cgroupsPath", "/docker/" + id));
        Process hostLoop = null;
        try (ServerSocketChannel server = hungServer(socket, accepted, requests);
             Runc runc = new Runc(tmp.resolve("runc-root"));
             KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS, Sensor.FILE))
                     .withContainers(new ContainerSources(List.of(), List.of(socket))))) {
            EventLog log = new EventLog(sensors);
            Recorder.Mark mark = log.mark();
            // The host keeps working (an exec every 20 ms) before, while and after the container starts.
            hostLoop = new ProcessBuilder("sh", "-c", "while :; do cat /etc/hostname >/dev/null; sleep 0.02; done")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (RunningContainer box = runc.start(OciRuntime.uniqueId("eun-hung"), spec)) {
                ExecEvent cat = log.await(mark, ExecEvent.class, e -> e.argv().contains(marker), WAIT);
                // Named from its cgroup once the API timed out, or when the wait ran out first (a loaded
                // machine) from the kernel's description of it alone: never the host, never nobody.
                ContainerInfo info = cat.process().container();
                assertThat(info.id()).as("records the kernel could not deliver: %s", sensors.lostBySensor()).isEqualTo(id);
                assertThat(info.runtime()).isEqualTo("docker");
                assertThat(info.name()).as("the API never answered: the name is the id").isEqualTo(id);
                // The event stream (GET /events) connects too: the container's own lookup must have been made
                // (its request line is read on the server's side a moment after the connection).
                long asked = System.nanoTime() + WAIT.toNanos();
                while (requests.stream().noneMatch(r -> r.startsWith("GET /containers/json")) && System.nanoTime() < asked) {
                    Thread.sleep(50);
                }
                assertThat(requests).as("the resolver asked the hung API for the container")
                        .anyMatch(r -> r.startsWith("GET /containers/json"));

                List<Event> delivered = log.since(mark);
                long ns = cat.process().mntnsId();
                int firstOfContainer = indexOf(delivered, e -> e.process().mntnsId() == ns);
                Event first = delivered.get(firstOfContainer);
                // Host events that happened after the container's first one yet were delivered before it:
                // they passed while the container's events waited for the API.
                long passed = delivered.subList(0, firstOfContainer).stream()
                        .filter(e -> e.process().container().isHost() && e.epochNanos() > first.epochNanos())
                        .count();
                assertThat(passed).as("host events delivered while the container's waited").isPositive();
                assertThat(delivered.stream().filter(e -> e.process().mntnsId() == ns)).allSatisfy(
                        e -> assertThat(e.process().container().id()).isEqualTo(id));
                // Every event the stage took in from that namespace came out; none by overflow.
                long deadline = System.nanoTime() + WAIT.toNanos();
                long offered;
                long out;
                do {
                    Thread.sleep(100);
                    offered = sensors.containers().seen().stream().filter(x -> x.mntnsId() == ns)
                            .mapToLong(ContainerAttribution.Seen::events).sum();
                    out = log.since(mark).stream().filter(e -> e.process().mntnsId() == ns).count();
                } while (out < offered && System.nanoTime() < deadline);
                assertThat(out).as("the namespace's events delivered, of those the stage took in").isEqualTo(offered);
                assertThat(sensors.containers().overflowEvents()).isZero();
            }
        } finally {
            if (hostLoop != null) {
                hostLoop.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            for (SocketChannel ch : accepted) {
                ch.close();
            }
        }
    }

    private static int indexOf(List<Event> events, java.util.function.Predicate<Event> match) {
        for (int i = 0; i < events.size(); i++) {
            if (match.test(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such event among " + events.size());
    }

    /**
     * A unix socket server that accepts every connection and never answers (a hung dockerd); the first
     * line of each request is kept in {@code requests}.
     */
    private static ServerSocketChannel hungServer(Path socket, List<SocketChannel> accepted, List<String> requests)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("hung-docker").start(() -> {
            try {
                while (true) {
                    SocketChannel ch = server.accept();
                    accepted.add(ch);
                    Thread.ofVirtual().start(() -> requests.add(firstLine(ch)));
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        return server;
    }

    /** The request line a client sent (read, never answered), or "" when it sent none. */
    private static String firstLine(SocketChannel ch) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(512);
        try {
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                String text = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.US_ASCII);
                int end = text.indexOf("\r\n");
                if (end >= 0) {
                    return text.substring(0, end);
                }
            }
        } catch (IOException closed) {
            // closed by the client's time-out or the test's end
        }
        return new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.US_ASCII);
    }
}
