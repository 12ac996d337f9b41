package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The Docker Engine API (also served by podman's compat service) over its unix socket: just the
 * container list filtered by id and an image's labels, as HTTP/1.0 so the body is plain. Bounded by a timeout; a daemon that
 * timed out or refused the connection is not asked again for a while (negative cache), so a hung
 * daemon costs one timeout per {@code retryAfter} ({@link ContainerSources#dockerRetryAfter}), not one per container.
 */
final class DockerApi {
    private static final System.Logger LOG = System.getLogger(DockerApi.class.getName());
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");
    /** An image id or reference as the Engine API takes it in a path; never "..": it would name another endpoint. */
    private static final Pattern IMAGE_REF = Pattern.compile("(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RESPONSE = 4 << 20;

    private final Path socket;
    private final Duration timeout;
    private final Duration retryAfter;
    /** System.nanoTime() before which the daemon counts as down. */
    private volatile long downUntil;
    private volatile boolean everDown;

    DockerApi(Path socket, Duration timeout, Duration retryAfter) {
        this.socket = socket;
        this.timeout = timeout;
        this.retryAfter = retryAfter;
    }

    Path socket() {
        return socket;
    }

    boolean present() {
        return Files.exists(socket);
    }

    /**
     * A container as the list endpoint shows it ({@code Id, Names, Image, Labels}), or empty when
     * unknown, unreachable or too slow. The list is served from the daemon's snapshot without the
     * container's lock, which inspect waits for while the container starts (seconds on a busy
     * daemon): a container is looked up while its runtime creates it.
     */
    Optional<JsonNode> container(String id) {
        if (!HEX_ID.matcher(id).matches() || !present() || down()) {
            return Optional.empty();
        }
        String filter = URLEncoder.encode("{\"id\":[\"" + id + "\"]}", StandardCharsets.UTF_8);
        return get("/containers/json?all=1&filters=" + filter).flatMap(list -> {
            for (JsonNode c : list) {
                if (id.equals(c.path("Id").asText())) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        });
    }

    /**
     * The labels of an image ({@code Config.Labels} of {@code GET /images/REF/json}; REF an id or a
     * reference): missing when the daemon answers 404 or REF is no image name; unreadable when it
     * does not answer (now, or recently), answers another error, or not JSON.
     */
    ImageLabels imageLabels(String ref) {
        if (!IMAGE_REF.matcher(ref).matches()) {
            return new ImageLabels.Missing("'" + ref + "' is no image reference");
        }
        if (!present() || down()) {
            return new ImageLabels.Unreadable("Docker API at " + socket + " is down");
        }
        try {
            Reply r = fetch("/images/" + ref + "/json");
            if (r.status() == 404) {
                return new ImageLabels.Missing("Docker API at " + socket + " knows no image " + ref);
            }
            JsonNode image = r.status() == 200 ? JSON.readTree(r.body()) : null;
            return image != null && image.isObject() ? ImageLabels.ofConfig(image.path("Config"))
                    : new ImageLabels.Unreadable("Docker API at " + socket + " answered " + r.status() + " for image " + ref);
        } catch (TimeoutException e) {
            markDown("did not answer within " + timeout.toMillis() + " ms");
            return new ImageLabels.Unreadable("Docker API at " + socket + " did not answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            if (!(e instanceof com.fasterxml.jackson.core.JsonProcessingException)) {
                markDown(e.toString());
            }
            return new ImageLabels.Unreadable("Docker API at " + socket + ": " + e);
        }
    }

    Optional<JsonNode> get(String path) {
        try {
            Reply r = fetch(path);
            return r.status() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (TimeoutException e) {
            markDown("did not answer within " + timeout.toMillis() + " ms");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // It answered, with something that is not JSON: not down, just no answer.
        } catch (IOException e) {
            markDown(e.toString());
        }
        return Optional.empty();
    }

    /**
     * Whether the daemon answers {@code GET /_ping} with 200 within the timeout: how the event stream
     * tells a daemon that is idle (Docker sends nothing on the stream then) from one that hangs.
     * Not subject to the negative cache, and never marks the daemon down.
     */
    boolean ping() {
        try {
            return fetch("/_ping").status() == 200;
        } catch (TimeoutException | IOException e) {
            return false;
        }
    }

    /** An answer: its HTTP status (0: none, malformed or too large) and body. */
    private record Reply(int status, String body) {
        static final Reply NONE = new Reply(0, "");
    }

    /** The daemon's answer; bounded by the timeout. */
    private Reply fetch(String path) throws IOException, TimeoutException {
        var task = new java.util.concurrent.FutureTask<>(() -> request(path));
        Thread t = Thread.ofVirtual().name("eunomia-docker-api").start(task);
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt(); // closes the channel: interruptible I/O
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            return Reply.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.NONE;
        }
    }

    /** Whether the daemon recently timed out or refused: then it is not asked. */
    boolean down() {
        return downUntil != 0 && System.nanoTime() - downUntil < 0;
    }

    private void markDown(String why) {
        downUntil = System.nanoTime() + retryAfter.toNanos();
        if (!everDown) {
            everDown = true;
            LOG.log(System.Logger.Level.WARNING, "Docker API at " + socket + " " + why + ": containers are named by id "
                    + "until it answers (asked again every " + retryAfter.toMillis() + " ms; logged once)");
        }
    }

    private Reply request(String path) throws IOException {
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
                    return Reply.NONE;
                }
            }
            String response = body.toString(StandardCharsets.UTF_8);
            int headerEnd = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.") || headerEnd < 12 || !response.substring(9, 12).chars().allMatch(Character::isDigit)) {
                return Reply.NONE;
            }
            return new Reply(Integer.parseInt(response.substring(9, 12)), response.substring(headerEnd + 4));
        }
    }
}
