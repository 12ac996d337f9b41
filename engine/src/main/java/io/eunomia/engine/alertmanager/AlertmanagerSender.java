package io.eunomia.engine.alertmanager;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.output.DeliveryQueue;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Pushes alerts to one or more Alertmanagers ({@code POST /api/v2/alerts}), to every one of them
 * as Prometheus does: each Alertmanager has a {@link DeliveryQueue} of its own (batches, retries
 * with backoff, losses counted), so one that is down delays and loses nothing for the others.
 * {@link #offer} never blocks.
 */
public final class AlertmanagerSender implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param maxBatch       alerts per request
     * @param maxAttempts    tries per batch and Alertmanager before its alerts count as dropped
     * @param firstBackoff   wait after the first failure; doubles up to maxBackoff
     * @param requestTimeout per request; close waits twice this for what is queued
     */
    public record Settings(int queueCapacity, int maxBatch, int maxAttempts, Duration firstBackoff, Duration maxBackoff,
                           Duration requestTimeout) {
        public static Settings defaults() {
            return new Settings(10_000, 64, 5, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(5));
        }

        DeliveryQueue.Settings queue() {
            return new DeliveryQueue.Settings(queueCapacity, maxBatch, maxAttempts, firstBackoff, maxBackoff,
                    requestTimeout.multipliedBy(2));
        }
    }

    private final List<DeliveryQueue<AmAlert>> queues;

    public AlertmanagerSender(List<URI> alertmanagers, Settings settings) {
        if (alertmanagers.isEmpty()) {
            throw new IllegalArgumentException("no Alertmanager URL given");
        }
        for (URI u : alertmanagers) {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("'" + u + "' is not an Alertmanager URL: expected http(s)://HOST:PORT[/path]");
            }
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.queues = alertmanagers.stream().map(u -> {
            // Appended, not resolved: an Alertmanager behind a path prefix (http://proxy/alertmanager) keeps it.
            URI endpoint = URI.create(u.toString().replaceAll("/+$", "") + "/api/v2/alerts");
            return new DeliveryQueue<AmAlert>("alertmanager-" + u.getAuthority(),
                    batch -> post(http, endpoint, settings.requestTimeout(), encode(batch)), settings.queue());
        }).toList();
    }

    /** Queues an alert for every Alertmanager; false when some queue was full (counted as dropped there). */
    public boolean offer(AmAlert alert) {
        boolean all = true;
        for (DeliveryQueue<AmAlert> q : queues) {
            all &= q.offer(alert);
        }
        return all;
    }

    private static void post(HttpClient http, URI endpoint, Duration timeout, String body) throws IOException {
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(endpoint).timeout(timeout)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while posting to " + endpoint);
        }
        if (r.statusCode() / 100 == 4) {
            throw new DeliveryQueue.Refused(endpoint + " answered " + r.statusCode() + ": " + r.body());
        }
        if (r.statusCode() / 100 != 2) {
            throw new IOException(endpoint + " answered " + r.statusCode());
        }
    }

    static String encode(List<AmAlert> alerts) {
        ArrayNode arr = JSON.createArrayNode();
        for (AmAlert a : alerts) {
            ObjectNode n = arr.addObject();
            ObjectNode labels = n.putObject("labels");
            a.labels().forEach(labels::put);
            ObjectNode annotations = n.putObject("annotations");
            a.annotations().forEach(annotations::put);
            n.put("startsAt", a.startsAt().toString());
            n.put("endsAt", a.endsAt().toString());
            if (a.generatorUrl() != null && !a.generatorUrl().isEmpty()) {
                n.put("generatorURL", a.generatorUrl());
            }
        }
        return arr.toString();
    }

    /** The queues' counters summed over the Alertmanagers (an alert sent to two counts twice). */
    public DeliveryQueue.Stats stats() {
        long delivered = 0;
        long rejected = 0;
        long givenUp = 0;
        long failed = 0;
        for (DeliveryQueue<AmAlert> q : queues) {
            DeliveryQueue.Stats s = q.stats();
            delivered += s.delivered();
            rejected += s.rejected();
            givenUp += s.givenUp();
            failed += s.failedAttempts();
        }
        return new DeliveryQueue.Stats(delivered, rejected, givenUp, failed);
    }

    /** Alerts accepted by an Alertmanager (per Alertmanager). */
    public long sent() {
        return stats().delivered();
    }

    /** Alerts not delivered: queue full, retries spent, refused, or left at shutdown (per Alertmanager). */
    public long dropped() {
        return stats().lost();
    }

    /** Requests that failed (each retry counts). */
    public long failedRequests() {
        return stats().failedAttempts();
    }

    /** Sends what is queued (within twice the request timeout), then stops. */
    @Override
    public void close() {
        queues.parallelStream().forEach(DeliveryQueue::close);
    }
}
