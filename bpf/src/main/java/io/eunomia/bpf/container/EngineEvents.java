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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>The pings are sent from a thread of their own ({@link #check}), never the reader's: events
 * the daemon sends while a ping waits for its answer (up to {@link #PING_TIMEOUT} from a busy
 * daemon) are taken as they come, and a daemon whose events arrive while its ping is unanswered
 * is not hung.
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

    /**
     * When a silent stream waited on is pinged and how long its answer may take: {@link #DEFAULT} in
     * the product; a test of a hung daemon sets them short so as not to wait out the product's.
     */
    record Pings(Duration silenceBeforePing, Duration timeout) {
        static final Pings DEFAULT = new Pings(SILENCE_BEFORE_PING, PING_TIMEOUT);

        Pings {
            if (silenceBeforePing.toMillis() < 4 || timeout.toMillis() < 1) {
                throw new IllegalArgumentException("pings every " + silenceBeforePing + " of silence with a timeout of "
                        + timeout + ": at least 4 ms and 1 ms");
            }
        }

        /** How often the pinger looks at the stream's silence: a fraction of the shortest silence it acts on. */
        Duration checkEvery() {
            return silenceBeforePing.dividedBy(4);
        }
    }
    /** A lookup that asked {@link #connected()} this recently waits on the stream. */
    static final Duration LOOKUP_WAITING = Duration.ofSeconds(5);
    /** How often a silent stream nobody waits on is checked: an idle daemon costs a ping per interval. */
    static final Duration IDLE_PING = Duration.ofSeconds(30);

    /** What a container's events say about it. */
    record Names(String name, String image, String podName, String podNamespace) {
        /** The pod its labels claim (its image's labels among them: Docker and podman merge them). */
        PodLabels podLabels() {
            return new PodLabels(podName, podNamespace, "");
        }
    }

    /** One connection's liveness: what its reader heard, what the pinger learnt. */
    private static final class Liveness {
        final Selector selector;
        /** System.nanoTime() the daemon was last heard from: a read, or an answered ping. */
        volatile long heard = System.nanoTime();
        /** The headers came: the stream is the daemon's; its first ping decides whether it counts as connected. */
        volatile boolean bodyBegun;
        /** The daemon answered a ping (or sent events while it was asked) since the headers. */
        volatile boolean confirmed;
        /** The stream ended (cleanly: a failed one is forgotten at once); nothing more to ping it for. */
        volatile boolean ended;
        /** Set by the pinger: why the reader must drop the stream. */
        volatile String failure;

        Liveness(Selector selector) {
            this.selector = selector;
        }
    }

    private final Path socket;
    private final int capacity;
    private final Map<String, Names> byId;
    private final LongAdder forgotten = new LongAdder();
    private final Thread reader;
    private final DockerApi ping;
    private final Pings pings;
    private final LongAdder pingsAnswered = new LongAdder();
    /** Checks that threw (a bug): counted, logged once; the next check runs anyway. */
    private final LongAdder checksFailed = new LongAdder();
    /** Only the pinger's thread reads or writes it. */
    private boolean checkFailureLogged;
    /** Pings the stream: a slow answer delays no event. */
    private final ScheduledExecutorService pinger;
    private volatile SocketChannel channel;
    /** Guards the pairing of {@link #live} and {@link #connected}: a late ping's answer never speaks for a newer stream. */
    private final Object lock = new Object();
    /** The stream open or last ended cleanly; null after a failed one. */
    private Liveness live;
    private volatile boolean connected;
    /** System.nanoTime() of the last {@link #connected()}: a lookup waits on the stream. */
    private volatile long lookupWaitedAt = System.nanoTime() - LOOKUP_WAITING.toNanos();
    /** "podman" when the server says Libpod, else "docker": whose containers' events this stream carries. */
    private volatile String engine = "docker";
    private volatile boolean closed;
    /** Epoch nanoseconds of the newest event seen (or of our start): where a new connection resumes. */
    private volatile long resumeNanos;
    private boolean everFailed;

    private EngineEvents(Path socket, int capacity, Pings pings, long startEpochNanos) {
        this.socket = socket;
        this.capacity = capacity;
        this.resumeNanos = startEpochNanos;
        this.pings = pings;
        this.ping = new DockerApi(socket, pings.timeout(), ContainerSources.DEFAULT_DOCKER_RETRY_AFTER);
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
        this.pinger = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon(true).name("eunomia-engine-ping").factory());
    }

    /** Starts reading the events of the engine at this socket (now, or whenever it comes up). */
    static EngineEvents start(Path socket) {
        return start(socket, CAPACITY);
    }

    static EngineEvents start(Path socket, int capacity) {
        return start(socket, capacity, Pings.DEFAULT);
    }

    static EngineEvents start(Path socket, int capacity, Pings pings) {
        java.time.Instant now = java.time.Instant.now();
        EngineEvents e = new EngineEvents(socket, capacity, pings, now.getEpochSecond() * 1_000_000_000L + now.getNano());
        e.reader.start();
        long every = pings.checkEvery().toMillis();
        e.pinger.scheduleWithFixedDelay(e::check, every, every, TimeUnit.MILLISECONDS);
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

    /** Checks of the stream that failed with an unexpected exception (each logged once at most). */
    long checksFailed() {
        return checksFailed.sum();
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
                    synchronized (lock) {
                        live = null;
                        connected = false; // a clean end keeps counting while the stream is made again
                    }
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
                Liveness stream = new Liveness(selector);
                synchronized (lock) {
                    live = stream;
                }
                try {
                    while (!closed) {
                        selector.select(); // the pinger's failure (wakeup) and close (Thread.interrupt) wake it
                        selector.selectedKeys().clear();
                        if (stream.failure != null) {
                            throw new IOException(stream.failure);
                        }
                        int n = ch.read(buf);
                        if (n < 0) {
                            break;
                        }
                        if (n > 0) {
                            stream.heard = System.nanoTime();
                            inBody = consume(buf, line, inBody);
                            if (inBody && !stream.bodyBegun) {
                                stream.bodyBegun = true;
                                askNow();  // is the daemon behind the headers answering? Events are taken meanwhile
                            }
                        }
                    }
                } finally {
                    stream.ended = true;
                }
            }
            return inBody;
        } finally {
            channel = null;
        }
    }

    /**
     * On the pinger's thread: pings the daemon of the stream whose headers came and that no answer
     * confirmed yet (only once the daemon also answers is the stream counted as connected: a daemon
     * that sends its headers and then hangs is no stream to wait for), and of an open stream silent
     * for longer than a lookup waiting on it (or nobody) allows. A daemon that does not answer within
     * {@link #PING_TIMEOUT} and sent nothing meanwhile is hung: the stream stops counting as connected
     * and its reader drops it.
     */
    private void check() {
        try {
            checkOnce();
        } catch (RuntimeException | LinkageError e) {
            // An exception out of a scheduleWithFixedDelay task cancels every later run, and the
            // reader's select() has no timeout of its own: a hung daemon would go unseen for good.
            if (!checkFailureLogged) {
                checkFailureLogged = true;
                LOG.log(System.Logger.Level.WARNING, "checking the Docker API events stream at " + socket
                        + " failed (later failures only counted): " + e, e);
            }
            checksFailed.increment();
        }
    }

    private void checkOnce() {
        Liveness stream;
        synchronized (lock) {
            stream = live;
        }
        if (closed || stream == null || !stream.bodyBegun || stream.failure != null
                || stream.confirmed && stream.ended) {
            return;
        }
        long asked = System.nanoTime();
        if (stream.confirmed) {
            boolean waitedOn = asked - lookupWaitedAt < LOOKUP_WAITING.toNanos();
            if (asked - stream.heard < (waitedOn ? pings.silenceBeforePing() : IDLE_PING).toNanos()) {
                return;
            }
        }
        // Silent: idle (Docker sends nothing then) or hung; or just opened. A daemon that answers a ping is neither.
        boolean answered = ping.ping();
        synchronized (lock) {
            if (answered || stream.heard - asked > 0) {  // events heard while the ping waited: not hung
                if (answered && stream.confirmed) {
                    pingsAnswered.increment();
                }
                if (answered) {
                    stream.heard = System.nanoTime();
                }
                stream.confirmed = true;
                if (live == stream) {
                    connected = true;
                }
            } else if (!stream.ended) {
                stream.failure = stream.confirmed
                        ? "silent for " + Duration.ofNanos(asked - stream.heard).toMillis() + " ms and did not answer /_ping within "
                                + pings.timeout().toMillis() + " ms"
                        : "sent its headers but did not answer /_ping within " + pings.timeout().toMillis() + " ms";
                if (live == stream) {
                    connected = false;
                }
                stream.selector.wakeup();
            }
        }
    }

    /** Runs {@link #check} now rather than at its next turn. */
    private void askNow() {
        try {
            pinger.execute(this::check);
        } catch (RejectedExecutionException closing) {
            // close() ended the pinger: nothing left to ask
        }
    }

    /** Takes what was read: the headers, then one event a line. Whether the body has begun. */
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
        Names names = new Names(name, attributes.path("image").asText(""), attributes.path(PodLabels.POD_NAME).asText(""),
                attributes.path(PodLabels.POD_NAMESPACE).asText(""));
        synchronized (byId) {
            byId.put(id, names);
        }
    }

    @Override
    public void close() {
        closed = true;
        pinger.shutdownNow();
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
