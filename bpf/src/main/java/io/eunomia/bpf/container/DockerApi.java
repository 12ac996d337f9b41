package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The Docker Engine API (also served by podman's compat service) over its unix socket: just
 * GET /containers/ID/json, as HTTP/1.0 so the body is plain. Bounded by a timeout so a hung
 * daemon cannot stall event delivery.
 */
final class DockerApi {
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RESPONSE = 4 << 20;

    private final Path socket;
    private final Duration timeout;

    DockerApi(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    Path socket() {
        return socket;
    }

    boolean present() {
        return Files.exists(socket);
    }

    /** The inspect document of a container, or empty when unknown, unreachable or too slow. */
    Optional<JsonNode> inspect(String id) {
        if (!HEX_ID.matcher(id).matches() || !present()) {
            return Optional.empty();
        }
        return get("/containers/" + id + "/json");
    }

    Optional<JsonNode> get(String path) {
        var task = new java.util.concurrent.FutureTask<>(() -> request(path));
        Thread t = Thread.ofVirtual().name("eunomia-docker-api").start(task);
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt(); // closes the channel: interruptible I/O
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private Optional<JsonNode> request(String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            String req = "GET " + path + " HTTP/1.0\r\nHost: docker\r\nUser-Agent: eunomia\r\n\r\n";
            ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                buf.flip();
                body.write(buf.array(), 0, buf.limit());
                buf.clear();
                if (body.size() > MAX_RESPONSE) {
                    return Optional.empty();
                }
            }
            String response = body.toString(StandardCharsets.UTF_8);
            int headerEnd = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.") || headerEnd < 0 || !response.substring(9, 12).equals("200")) {
                return Optional.empty();
            }
            return Optional.of(JSON.readTree(response.substring(headerEnd + 4)));
        }
    }
}
