package io.eunomia.engine.alertmanager;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes alerts to one or more Alertmanagers ({@code POST /api/v2/alerts}), to every one of them
 * as Prometheus does. {@link #offer} never blocks: alerts wait in a bounded queue, are sent in
 * batches from one thread, retried with exponential backoff, and counted as dropped when the
 * queue is full or the retries are spent. A slow or absent Alertmanager never stalls the caller.
 */
public final class AlertmanagerSender implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AlertmanagerSender.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param maxBatch     alerts per request
     * @param maxAttempts  tries per batch and Alertmanager before its alerts count as dropped
     * @param firstBackoff wait after the first failure; doubles up to maxBackoff
     */
    public record Settings(int queueCapacity, int maxBatch, int maxAttempts, Duration firstBackoff, Duration maxBackoff,
                           Duration requestTimeout) {
        public static Settings defaults() {
            return new Settings(10_000, 64, 5, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(5));
        }
    }

    private final List<URI> endpoints;
    private final Settings settings;
    private final BlockingQueue<AmAlert> queue;
    private final HttpClient http;
    private final Thread sender;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();
    private volatile boolean running = true;

    public AlertmanagerSender(List<URI> alertmanagers, Settings settings) {
        if (alertmanagers.isEmpty()) {
            throw new IllegalArgumentException("no Alertmanager URL given");
        }
        for (URI u : alertmanagers) {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("'" + u + "' is not an Alertmanager URL: expected http(s)://HOST:PORT[/path]");
            }
        }
        // Appended, not resolved: an Alertmanager behind a path prefix (http://proxy/alertmanager) keeps it.
        this.endpoints = alertmanagers.stream().map(u -> URI.create(u.toString().replaceAll("/+$", "") + "/api/v2/alerts"))
                .toList();
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.sender = Thread.ofPlatform().name("eunomia-alertmanager").daemon(true).start(this::run);
    }

    /** Queues an alert; false (and counted as dropped) when the queue is full. */
    public boolean offer(AmAlert alert) {
        if (queue.offer(alert)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    private void run() {
        List<AmAlert> batch = new ArrayList<>(settings.maxBatch());
        while (running || !queue.isEmpty()) {
            try {
                AmAlert first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, settings.maxBatch() - 1);
                String body = encode(batch);
                boolean anyAccepted = false;
                for (URI endpoint : endpoints) {
                    if (deliver(endpoint, body)) {
                        anyAccepted = true;
                    } else {
                        dropped.addAndGet(batch.size());
                    }
                }
                if (anyAccepted) {
                    sent.addAndGet(batch.size());
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // One bad batch must not end delivery for good: count it and go on.
                dropped.addAndGet(batch.size());
                batch.clear();
                LOG.log(System.Logger.Level.WARNING, "could not send alerts to Alertmanager: " + e);
            }
        }
    }

    /** Posts with retries; true once an Alertmanager accepted it. */
    private boolean deliver(URI endpoint, String body) throws InterruptedException {
        Duration backoff = settings.firstBackoff();
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint)
                                .timeout(settings.requestTimeout())
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) {
                    return true;
                }
                failedRequests.incrementAndGet();
                if (r.statusCode() / 100 == 4) {
                    // Alertmanager refused the content: retrying the same body cannot help.
                    LOG.log(System.Logger.Level.WARNING, endpoint + " refused alerts (" + r.statusCode() + "): " + r.body());
                    return false;
                }
            } catch (IOException e) {
                failedRequests.incrementAndGet();
            }
            if (attempt < settings.maxAttempts()) {
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
            }
        }
        LOG.log(System.Logger.Level.WARNING, "could not reach " + endpoint + " after " + settings.maxAttempts()
                + " attempts: alerts dropped (counted in eunomia_dropped_events_total{stage=\"output\"})");
        return false;
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

    /** Alerts handed to Alertmanager (per batch, counted once even with several Alertmanagers). */
    public long sent() {
        return sent.get();
    }

    /** Alerts not delivered: queue full, or retries spent (per Alertmanager that missed them). */
    public long dropped() {
        return dropped.get();
    }

    public long failedRequests() {
        return failedRequests.get();
    }

    public int queued() {
        return queue.size();
    }

    /** Stops after trying to send what is queued, waiting at most timeout. */
    @Override
    public void close() {
        running = false;
        try {
            sender.join(settings.requestTimeout().toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.interrupt();
        dropped.addAndGet(queue.size());
        queue.clear();
    }
}
