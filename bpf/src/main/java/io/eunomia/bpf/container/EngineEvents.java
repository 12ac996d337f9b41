package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The Engine API's event stream ({@code GET /events}, dockerd and podman's compat service) of one
 * socket, read on a thread of its own over one long-lived connection: every container's name and
 * image as the engine creates it, remembered after the engine removed it. A {@code --rm} container
 * that lives a millisecond is gone from the engine (and from every file naming it) before a lookup
 * after its act could ask; its "create" event was sent before its process ran.
 *
 * <p>Bounded: the oldest of {@link #CAPACITY} containers is forgotten first (counted). The reader
 * reconnects with backoff, asking for the events since the last one it saw, so a restart of the
 * daemon or a dropped connection loses none that the daemon still keeps. Lookups only read the
 * table: a hung daemon never blocks them. The stream counts as connected only while the daemon is
 * known to answer: a silent stream is checked with a ping (Docker sends nothing while idle), every
 * {@link #SILENCE_BEFORE_PING} while a lookup waits on it (asked {@link #connected()} within
 * {@link #LOOKUP_WAITING}), else every {@link #IDLE_PING}; a daemon that sent its headers and then
 * hung stops counting as connected within {@code SILENCE_BEFORE_PING + PING_TIMEOUT} of a lookup's
 * wait, so lookups stop waiting for events that will not come. A stream that ended cleanly (the
 * daemon closed it) still counts as connected while it is made again: it resumes where it ended.
 */
final class EngineEvents implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EngineEvents.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");
    static final int CAPACITY = 4096;
    /** One event's JSON; past it the connection is dropped and made again (a daemon gone wrong). */
    private static final int MAX_LINE = 1 << 20;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /**
     * How long the stream may be silent, while a lookup waits on it, before the daemon is pinged; one
     * that does not answer within {@link #PING_TIMEOUT} is hung: the stream no longer counts as
     * connected (lookups stop waiting for its events) and is made again. The timeout is long: a busy
     * daemon (podman's service on a loaded host) answers a ping in over a second, and counting it
     * hung would settle lookups by id while its events are on their way.
     */
    static final Duration SILENCE_BEFORE_PING = Duration.ofSeconds(1);
    static final Duration PING_TIMEOUT = Duration.ofSeconds(5);
    /** A lookup that asked {@link #connected()} this recently waits on the stream. */
    static final Duration LOOKUP_WAITING = Duration.ofSeconds(5);
    /** How often a silent stream nobody waits on is checked: an idle daemon costs a ping per interval. */
    static final Duration IDLE_PING = Duration.ofSeconds(30);
    private static final String POD_NAME = "io.kubernetes.pod.name";
    private static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";

    /** What a container's events say about it. */
    record Names(String name, String image, String podName, String podNamespace) {
        /** The pod its labels claim (its image's labels among them: Docker and podman merge them). */
        PodLabels podLabels() {
            return new PodLabels(podName, podNamespace, "");
        }
    }

    private final Path socket;
    private final int capacity;
    private final Map<String, Names> byId;
    private final LongAdder forgotten = new LongAdder();
    private final Thread reader;
    private final DockerApi ping;
    private final LongAdder pingsAnswered = new LongAdder();
    private volatile SocketChannel channel;
    private volatile boolean connected;
    /** System.nanoTime() of the last {@link #connected()}: a lookup waits on the stream. */
    private volatile long lookupWaitedAt = System.nanoTime() - LOOKUP_WAITING.toNanos();
    /** "podman" when the server says Libpod, else "docker": whose containers' events this stream carries. */
    private volatile String engine = "docker";
    private volatile boolean closed;
    /** Epoch nanoseconds of the newest event seen (or of our start): where a new connection resumes. */
    private volatile long resumeNanos;
    private boolean everFailed;

    private EngineEvents(Path socket, int capacity, long startEpochNanos) {
        this.socket = socket;
        this.capacity = capacity;
        this.resumeNanos = startEpochNanos;
        this.ping = new DockerApi(socket, PING_TIMEOUT);
        this.byId = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Names> eldest) {
                if (size() > EngineEvents.this.capacity) {
                    forgotten.increment();
                    return true;
                }
                return false;
            }
        };
        this.reader = Thread.ofPlatform().daemon(true).name("eunomia-engine-events").unstarted(this::run);
    }

    /** Starts reading the events of the engine at this socket (now, or whenever it comes up). */
    static EngineEvents start(Path socket) {
        return start(socket, CAPACITY);
    }

    static EngineEvents start(Path socket, int capacity) {
        java.time.Instant now = java.time.Instant.now();
        EngineEvents e = new EngineEvents(socket, capacity, now.getEpochSecond() * 1_000_000_000L + now.getNano());
        e.reader.start();
        return e;
    }

    /** The container with this full id as its events named it; empty when none was seen. */
    Optional<Names> lookup(String id) {
        synchronized (byId) {
            return Optional.ofNullable(byId.get(id));
        }
    }

    /**
     * Whether the stream is open and its daemon answers: a container's "create" may still be on its
     * way. Asked by a lookup that found nothing and would wait: the daemon is pinged more often meanwhile.
     */
    boolean connected() {
        lookupWaitedAt = System.nanoTime();
        return connected;
    }

    /** The engine behind the socket, as its server header says: "docker" or "podman". */
    String engine() {
        return engine;
    }

    /** Pings the daemon answered while its stream was silent (it was idle, not hung). */
    long pingsAnswered() {
        return pingsAnswered.sum();
    }

    /** Containers forgotten because {@link #CAPACITY} newer ones were seen. */
    long forgotten() {
        return forgotten.sum();
    }

    Path socket() {
        return socket;
    }

    private void run() {
        long backoff = FIRST_BACKOFF.toNanos();
        while (!closed) {
            boolean streamed = false;
            try {
                if (Files.exists(socket)) {
                    streamed = stream();
                }
            } catch (IOException | RuntimeException e) {
                if (!closed && !everFailed) {
                    everFailed = true;
                    LOG.log(System.Logger.Level.WARNING, "Docker API events at " + socket + ": " + e
                            + "; reconnecting (up to every " + MAX_BACKOFF.toSeconds() + " s; logged once)");
                }
            } finally {
                if (!streamed) {
                    connected = false; // a clean end keeps counting while the stream is made again
                }
            }
            backoff = streamed ? FIRST_BACKOFF.toNanos() : Math.min(backoff * 2, MAX_BACKOFF.toNanos());
            try {
                Thread.sleep(Duration.ofNanos(backoff));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One connection, until it ends; whether the daemon answered with a stream. */
    private boolean stream() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel = ch;
            if (closed) {
                return false;
            }
            ch.connect(UnixDomainSocketAddress.of(socket));
            long since = resumeNanos;
            String filters = URLEncoder.encode("{\"type\":[\"container\"]}", StandardCharsets.UTF_8);
            // HTTP/1.0: the body is the bare stream, one JSON object a line, until the daemon closes it.
            String req = "GET /events?since=" + since / 1_000_000_000L + "." + String.format("%09d", since % 1_000_000_000L)
                    + "&filters=" + filters + " HTTP/1.0\r\nHost: docker\r\nUser-Agent: eunomia\r\n\r\n";
            ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            ch.configureBlocking(false);
            ByteBuffer buf = ByteBuffer.allocate(16384);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean inBody = false;
            try (Selector selector = Selector.open()) {
                ch.register(selector, SelectionKey.OP_READ);
                long heard = System.nanoTime();
                while (!closed) {
                    selector.select(SILENCE_BEFORE_PING.toMillis()); // Thread.interrupt (close) wakes it
                    selector.selectedKeys().clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        break;
                    }
                    if (n > 0) {
                        heard = System.nanoTime();
                        inBody = consume(buf, line, inBody);
                        continue;
                    }
                    long now = System.nanoTime();
                    boolean waitedOn = now - lookupWaitedAt < LOOKUP_WAITING.toNanos();
                    if (now - heard >= (waitedOn ? SILENCE_BEFORE_PING : IDLE_PING).toNanos()) {
                        // Silent: idle (Docker sends nothing then) or hung. A daemon that answers a ping is idle.
                        if (!ping.ping()) {
                            connected = false;
                            throw new IOException("silent for " + Duration.ofNanos(now - heard).toMillis()
                                    + " ms and did not answer /_ping within " + PING_TIMEOUT.toMillis() + " ms");
                        }
                        pingsAnswered.increment();
                        heard = System.nanoTime();
                    }
                }
            }
            return inBody;
        } finally {
            channel = null;
        }
    }

    /**
     * Takes what was read: the headers (only once the daemon also answers a ping is the stream
     * counted as connected: a daemon that sends its headers and then hangs is no stream to wait
     * for), then one event a line. Whether the body has begun.
     */
    private boolean consume(ByteBuffer buf, ByteArrayOutputStream line, boolean inBody) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            byte b = buf.get();
            if (b != '\n') {
                line.write(b);
                if (line.size() > MAX_LINE) {
                    throw new IOException("an event longer than " + MAX_LINE + " bytes");
                }
                continue;
            }
            String text = line.toString(StandardCharsets.UTF_8).strip();
            line.reset();
            if (!inBody) {
                if (text.startsWith("HTTP/1.") && !text.startsWith(" 200", 8)) {
                    throw new IOException("answered " + text);
                }
                if (text.regionMatches(true, 0, "Server:", 0, 7)) {
                    engine = text.contains("Libpod") ? "podman" : "docker";
                }
                if (text.isEmpty()) {
                    inBody = true;
                    if (!ping.ping()) {
                        throw new IOException("sent its headers but did not answer /_ping within "
                                + PING_TIMEOUT.toMillis() + " ms");
                    }
                    connected = true;
                }
            } else if (!text.isEmpty()) {
                take(text);
            }
        }
        buf.clear();
        return inBody;
    }

    /** Remembers the container an event names (every event of it carries its name and image). */
    private void take(String json) throws IOException {
        JsonNode e = JSON.readTree(json);
        JsonNode actor = e.path("Actor");
        String id = actor.path("ID").asText("");
        JsonNode attributes = actor.path("Attributes");
        String name = attributes.path("name").asText("");
        long at = e.path("timeNano").asLong(0);
        if (at > resumeNanos) {
            resumeNanos = at;
        }
        if (!HEX_ID.matcher(id).matches() || name.isEmpty()) {
            return;
        }
        Names names = new Names(name, attributes.path("image").asText(""), attributes.path(POD_NAME).asText(""),
                attributes.path(POD_NAMESPACE).asText(""));
        synchronized (byId) {
            byId.put(id, names);
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        SocketChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
