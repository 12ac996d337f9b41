package io.eunomia.engine.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.testkit.Recorder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real CLI in its own JVM (eunomia enforce ...), its JSON alerts on stdout and its /metrics. */
final class EnforcingCli implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRICS = Pattern.compile("metrics on http://([\\d.]+):(\\d+)/metrics");

    private final Process process;
    private final URI metrics;
    private final String readyLine;
    private final Recorder<JsonNode> alerts = new Recorder<>(a -> a.path("rule").asText() + ": " + a.path("output").asText());
    private final StringBuffer stderr = new StringBuffer();

    private EnforcingCli(Process process, URI metrics, String readyLine) {
        this.process = process;
        this.metrics = metrics;
        this.readyLine = readyLine;
    }

    /** Starts {@code eunomia ARGS --format json --aggregate 0 ...} and waits for its ready line. */
    static EnforcingCli start(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--format", "json", "--aggregate", "0", "--no-rule-cache", "--metrics-address", "127.0.0.1:0"));
        Process p = EunomiaProcess.builder(all.toArray(String[]::new)).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String ready;
        try {
            ready = EunomiaProcess.awaitLine(err, "ready in");
        } catch (AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
        Matcher m = METRICS.matcher(ready);
        if (!m.find()) {
            p.destroyForcibly();
            throw new AssertionError("no metrics address in: " + ready);
        }
        EnforcingCli cli = new EnforcingCli(p, URI.create("http://" + m.group(1) + ":" + m.group(2) + "/metrics"), ready);
        cli.stderr.append(ready).append('\n');
        Thread.ofPlatform().daemon().start(() -> {
            try {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                    cli.stderr.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // process gone
            }
        });
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    cli.alerts.accept(JSON.readTree(line));
                }
            } catch (IOException ignored) {
                // process gone
            }
        });
        return cli;
    }

    /** HOST:PORT of its /metrics, for a Prometheus to scrape. */
    String metricsTarget() {
        return metrics.getHost() + ":" + metrics.getPort();
    }

    String readyLine() {
        return readyLine;
    }

    /** Now: what arrives from here on is after this mark. */
    Recorder.Mark mark() {
        return alerts.mark();
    }

    /** Now, in the CLI's log: what it logs from here on is after this position. */
    int logMark() {
        return stderr.length();
    }

    /**
     * Waits until the CLI logs, after the log mark, that it watches container NAME with its profile in
     * the mount namespace namespaceTail names ("in mount namespace N", maybe followed by its id: a container of the
     * same name that ran before may be classified late, after the mark, and must not pass for it).
     * From then on the kernel judges each of the container's calls at the act.
     */
    void awaitWatching(int logMark, String container, String namespaceTail, Duration timeout) throws InterruptedException {
        String text = "watching container " + container + " with profile ";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (stderr.substring(Math.min(logMark, stderr.length())).lines()
                .noneMatch(l -> l.contains(text) && (l.endsWith(namespaceTail) || l.contains(namespaceTail + " id ")))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "... " + namespaceTail + "' logged within " + timeout + "; stderr:\n" + stderr);
            }
            Thread.sleep(20);
        }
    }

    /** The first matching alert after the mark, waiting up to timeout; fails with what came and the CLI's stderr. */
    JsonNode await(Recorder.Mark mark, Predicate<JsonNode> match, Duration timeout) throws InterruptedException {
        return alerts.awaitAfter(mark, match, timeout).orElseThrow(() -> new AssertionError("no matching alert within "
                + timeout + "; after the mark:\n  " + alerts.describe(alerts.since(mark)) + "\nstderr:\n" + stderr));
    }

    /** Every alert so far. */
    List<JsonNode> alerts() {
        return alerts.all();
    }

    /** Alerts about one container. */
    List<JsonNode> alertsFor(String container) {
        return alerts().stream().filter(a -> a.path("container").path("name").asText().equals(container)).toList();
    }

    static Predicate<JsonNode> rule(String rule, String container) {
        return a -> a.path("rule").asText().equals(rule) && a.path("container").path("name").asText().equals(container);
    }

    /** One sample of /metrics, e.g. {@code eunomia_profile_violations_total{container="x",kind="syscall"}}; 0 when absent. */
    double metric(String series) throws IOException, InterruptedException {
        String body;
        try (HttpClient http = HttpClient.newHttpClient()) {
            body = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).strip());
            }
        }
        return 0;
    }

    static String violations(String container, String kind) {
        return "eunomia_profile_violations_total{container=\"" + container + "\",kind=\"" + kind + "\"}";
    }

    String stderr() {
        return stderr.toString();
    }

    /** SIGTERM, as a user's Ctrl-C: the CLI reports, flushes and detaches. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
