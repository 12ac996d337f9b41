package io.eunomia.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An Alertmanager webhook receiver on 127.0.0.1: records every alert Alertmanager posts, with the
 * time it arrived, so tests can wait for one that arrived after their act and measure delivery
 * latency.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One alert of a webhook notification, as received (receivedEpochNanos: wall clock at receipt). */
    public record Received(JsonNode alert, JsonNode notification, long receivedEpochNanos) {
        public String label(String name) {
            return alert.path("labels").path(name).asText("");
        }

        public String annotation(String name) {
            return alert.path("annotations").path(name).asText("");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Recorder<Received> received = new Recorder<>(r -> r.alert().path("labels") + " "
            + r.alert().path("annotations"));

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            WebhookReceiver w = new WebhookReceiver(server);
            server.createContext("/hook", ex -> {
                try (ex) {
                    java.time.Instant t = java.time.Instant.now();
                    long now = t.getEpochSecond() * 1_000_000_000L + t.getNano();
                    JsonNode body = JSON.readTree(ex.getRequestBody());
                    for (JsonNode a : body.path("alerts")) {
                        w.received.accept(new Received(a, body, now));
                    }
                    ex.sendResponseHeaders(200, -1);
                }
            });
            server.start();
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the webhook receiver", e);
        }
    }

    /** http://127.0.0.1:PORT/hook */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Now: take it before the act under test. */
    public Recorder.Mark mark() {
        return received.mark();
    }

    /** The first alert received after the mark that matches, waiting up to timeout; empty if none came. */
    public Optional<Received> awaitAfter(Recorder.Mark mark, Predicate<Received> match, Duration timeout)
            throws InterruptedException {
        return received.awaitAfter(mark, match, timeout);
    }

    /** The same, failing with what was received after the mark when none matches in time. */
    public Received expectAfter(Recorder.Mark mark, Predicate<Received> match, Duration timeout, String what)
            throws InterruptedException {
        return received.expectAfter(mark, match, timeout, what);
    }

    /** Everything received so far. */
    public List<Received> received() {
        return received.all();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
