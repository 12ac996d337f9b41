package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.FileEvent;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container released before its identity came is named once it comes: the real sensors, a real
 * runc container in a Docker-style cgroup, and a Docker API that hangs until the container's
 * events were released (named by id only), then answers with its name and image. The container
 * makes no exec after that (a shell loop writing a file), so nothing but the stage's own later
 * looks can name it; its later events, and the stage's listing, carry the name.
 */
class LateIdentityTest {
    private static final Duration WAIT = Duration.ofSeconds(90); // awaits what an act causes; generous for a loaded machine
    /** The API that timed out is asked again after this, not the product's 5 s: what is tested is that it is asked again. */
    private static final Duration RETRY_AFTER = Duration.ofMillis(250);

    @TempDir
    Path tmp;

    @Test
    void aContainerReleasedBeforeItsNameCameIsNamedForItsLaterEvents() throws Exception {
        Path socket = tmp.resolve("docker.sock");
        String id = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
        String name = "late-" + id.substring(0, 8);
        AtomicBoolean answering = new AtomicBoolean();
        List<SocketChannel> hung = new CopyOnWriteArrayList<>();
        // No exec after mkfifo: `read -t` on a fifo of its own is the shell's sleep, `: >` its write.
        ContainerSpec spec = ContainerSpec.of("sh", "-c", "mkfifo /tmp/f; exec 3<>/tmp/f; "
                        + "while :; do read -t 0.3 x <&3; : > /tmp/tick; done")
                .withConfigEdit(c -> ((ObjectNode) c.get("linux")).put("cgroupsPath", "/docker/" + id));
        try (ServerSocketChannel server = dockerApi(socket, answering, hung, id, name);
             Runc runc = new Runc(tmp.resolve("runc-root"));
             KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS, Sensor.FILE))
                     .withContainers(new ContainerSources(List.of(), List.of(socket)).withDockerRetryAfter(RETRY_AFTER)))) {
            EventLog log = new EventLog(sensors);
            Recorder.Mark mark = log.mark();
            try (RunningContainer box = runc.start(OciRuntime.uniqueId("eun-late"), spec)) {
                long ns = io.eunomia.libbpf.Libc.mountNamespaceId(box.pid()).orElseThrow();
                // Released while the API hung: by id (its cgroup), on a loaded machine too (its hold may
                // end before any look began: the kernel's description names it).
                FileEvent before = log.await(mark, FileEvent.class, e -> e.process().mntnsId() == ns
                        && e.path().equals("/tmp/tick"), WAIT);
                assertThat(before.process().container().name()).isNotEqualTo(name);
                assertThat(before.process().container().id()).as("records the kernel could not deliver: %s",
                        sensors.lostBySensor()).isEqualTo(id);
                Recorder.Mark released = log.mark();
                answering.set(true);
                FileEvent named = log.await(released, FileEvent.class, e -> e.process().mntnsId() == ns
                        && e.path().equals("/tmp/tick") && e.process().container().name().equals(name), WAIT);
                assertThat(named.process().container().id()).isEqualTo(id);
                assertThat(named.process().container().image()).isEqualTo("late-image:1");
                assertThat(named.process().container().runtime()).isEqualTo("docker");
                // `eunomia containers` and the metrics read the stage's listing: named there too.
                assertThat(sensors.containers().seen()).filteredOn(s -> s.mntnsId() == ns)
                        .singleElement().satisfies(s -> assertThat(s.container().name()).isEqualTo(name));
                // And it stays named: every event after the named one carries the name.
                FileEvent next = log.await(log.mark(), FileEvent.class, e -> e.process().mntnsId() == ns
                        && e.path().equals("/tmp/tick"), WAIT);
                assertThat(next.process().container().name()).isEqualTo(name);
            }
        } finally {
            for (SocketChannel ch : hung) {
                ch.close();
            }
        }
    }

    /**
     * A Docker Engine API that accepts and never answers until {@code answering}, then lists the
     * one container: its connections from before stay hung (as a daemon's that came back would).
     */
    private static ServerSocketChannel dockerApi(Path socket, AtomicBoolean answering, List<SocketChannel> hung,
                                                 String id, String name) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        String body = "[{\"Id\":\"" + id + "\",\"Names\":[\"/" + name + "\"],\"Image\":\"late-image:1\",\"Labels\":{}}]";
        byte[] response = ("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        Thread.ofPlatform().daemon().name("late-docker").start(() -> {
            try {
                while (true) {
                    SocketChannel ch = server.accept();
                    if (!answering.get()) {
                        hung.add(ch);
                        continue;
                    }
                    try (ch) {
                        ByteBuffer in = ByteBuffer.allocate(8192);
                        String req = "";
                        while (!req.contains("\r\n\r\n") && ch.read(in) > 0) {
                            req = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
                        }
                        ch.write(ByteBuffer.wrap(response));
                    } catch (IOException gone) {
                        // the resolver gave up on this one; the next asks again
                    }
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        return server;
    }
}
