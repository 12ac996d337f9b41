package io.eunomia.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An Alertmanager webhook receiver on 127.0.0.1: records every alert Alertmanager posts, with the
 * time it arrived, so tests can wait for one and measure delivery latency.
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
    private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    private final List<Received> seen = new ArrayList<>();

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
                        w.queue.add(new Received(a, body, now));
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

    /** Waits for an alert that matches; null when none arrives in time. */
    public synchronized Received await(Predicate<Received> match, Duration timeout) throws InterruptedException {
        for (Received r : seen) {
            if (match.test(r)) {
                return r;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
            if (r == null) {
                return null;
            }
            seen.add(r);
            if (match.test(r)) {
                return r;
            }
        }
    }

    /** Everything received so far. */
    public synchronized List<Received> received() {
        queue.drainTo(seen);
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
