package io.eunomia.engine.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.testkit.AlertmanagerServer;
import io.eunomia.testkit.BesideTheStream;
import io.eunomia.testkit.WebhookReceiver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An alert storm under a real monitor: a shell loop reads /etc/shadow with a new process (a new
 * pid) each time for a few seconds. The monitor prints one full alert at once, then one summary
 * per aggregation window whose counts add up to the reads; the suppressed reads are in the
 * metrics; a real Alertmanager holds one alert for the group, labelled with the grouping fields.
 */
@BesideTheStream
class AlertStormEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String RULE = "Storm shadow read";
    private static final String WARM_UP_RULE = "Storm warm-up read";
    /**
     * Longer than the loop: a first line held for the window would come after the loop ended, so a first
     * line seen within the window is one printed at once, however much load delays the pipeline.
     */
    private static final int WINDOW_SECONDS = 10;
    private static final int LOOP_SECONDS = 5;
    /** A storm: many more reads than the lines it may give (a line, and a summary per window). */
    private static final int MIN_READS = 30;

    @Test
    void aLoopReadingShadowGivesABoundedNumberOfLinesWhoseCountsAddUpAndOneAlertmanagerAlert() throws Exception {
        Path dir = Files.createTempDirectory("eunomia-storm-");
        // A name of our own (comm is 15 characters at most): other programs on the host reading
        // /etc/shadow meanwhile are not in our group.
        String name = "storm" + ThreadLocalRandom.current().nextInt(10_000, 100_000);
        Path reader = dir.resolve(name);
        Files.copy(Path.of("/bin/cat"), reader);
        reader.toFile().setExecutable(true);
        // One read under another name and rule first, awaited: the monitor's pipeline is warm (a cold JVM on a
        // loaded machine took over 10 s for its first alert) before the storm's first line is timed.
        String warm = "warm" + ThreadLocalRandom.current().nextInt(10_000, 100_000);
        Files.copy(Path.of("/bin/cat"), dir.resolve(warm));
        dir.resolve(warm).toFile().setExecutable(true);
        Path rules = Files.createDirectory(dir.resolve("rules"));
        Files.writeString(rules.resolve("storm.yaml"), """
                - rule: %s
                  desc: the default pack's sensitive-file rule, for one program name
                  condition: evt.type = open and fd.name = /etc/shadow and proc.name = %s
                  output: "Sensitive file opened (file=%%fd.name user=%%user.uid process=%%proc.name pid=%%proc.pid)"
                  priority: WARNING
                - rule: %s
                  desc: the warm-up read
                  condition: evt.type = open and fd.name = /etc/shadow and proc.name = %s
                  output: "warm-up read (process=%%proc.name)"
                  priority: WARNING
                """.formatted(RULE, name, WARM_UP_RULE, warm));
        Path out = dir.resolve("monitor.out");
        try (WebhookReceiver hook = WebhookReceiver.start(); AlertmanagerServer am = AlertmanagerServer.start(hook.url())) {
            Process monitor = EunomiaProcess.builder("monitor", "--no-rule-cache", "--no-default-rules", "--rules", rules.toString(),
                    "--format", "json", "--aggregate", String.valueOf(WINDOW_SECONDS), "--alertmanager", am.url(),
                    "--metrics-address", "127.0.0.1:0").redirectOutput(out.toFile()).start();
            StringBuffer log = new StringBuffer();
            Process loop = null;
            try {
                BufferedReader err = new BufferedReader(new InputStreamReader(monitor.getErrorStream(), StandardCharsets.UTF_8));
                String ready = EunomiaProcess.awaitLine(err, "monitoring with");
                log.append(ready).append('\n');
                // The port the monitor bound itself (a port found free beforehand may be taken meanwhile).
                Matcher bound = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics").matcher(ready);
                assertThat(bound.find()).as(ready).isTrue();
                int metricsPort = Integer.parseInt(bound.group(1));
                Thread.ofVirtual().start(() -> err.lines().forEach(l -> log.append(l).append('\n')));

                new ProcessBuilder("./" + warm, "/etc/shadow").directory(dir.toFile())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                long warmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!Files.readString(out).contains(WARM_UP_RULE)) {
                    assertThat(System.nanoTime()).as("no warm-up alert; monitor said:\n%s", log).isLessThan(warmDeadline);
                    Thread.sleep(50);
                }

                // At least MIN_READS reads and at least LOOP_SECONDS (a loaded machine forks slowly): it says
                // how many reads it made in how many seconds.
                loop = new ProcessBuilder("sh", "-c", "n=0; start=$(date +%s); end=$(( start + " + LOOP_SECONDS + " )); "
                        + "while [ $n -lt " + MIN_READS + " ] || [ $(date +%s) -lt $end ]; do ./" + name
                        + " /etc/shadow >/dev/null; n=$((n+1)); done; echo $n $(( $(date +%s) - start ))")
                        .directory(dir.toFile()).redirectErrorStream(true).start();
                // The first line is printed at once, not held for the window: seen within the window of its event.
                List<JsonNode> lines = ours(out, name);
                // One generous deadline for all that follows (what it awaits ends the wait when it comes).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (lines.isEmpty()) {
                    assertThat(System.nanoTime()).as("no alert line; monitor said:\n%s", log).isLessThan(deadline);
                    Thread.sleep(20);
                    lines = ours(out, name);
                }
                long firstSeen = System.currentTimeMillis();
                long eventMillis = Instant.parse(lines.getFirst().path("time").asText()).toEpochMilli();
                assertThat(firstSeen - eventMillis).as("first alert delayed by the aggregation window")
                        .isLessThan(WINDOW_SECONDS * 1000L);

                assertThat(loop.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String[] said = new String(loop.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split(" ");
                long reads = Long.parseLong(said[0]);
                int loopSeconds = Integer.parseInt(said[1]);
                assertThat(reads).as("the loop ran").isGreaterThanOrEqualTo(MIN_READS);

                // Every read is accounted for once the group closes (a window without repeats).
                while (total(lines = ours(out, name)) < reads) {
                    assertThat(System.nanoTime()).as("lines %s account for fewer than %d reads", lines, reads).isLessThan(deadline);
                    Thread.sleep(100);
                }
                Thread.sleep(WINDOW_SECONDS * 1000L + 500);
                lines = ours(out, name);
                assertThat(total(lines)).as("counts add up to the reads: %s", lines).isEqualTo(reads);
                assertThat(lines.stream().filter(l -> !l.path("summary").asBoolean())).as("one full alert line").hasSize(1);
                // One line, then one summary per window the loop lasted (and one for the window it ended in).
                assertThat(lines).as("%d reads in %d lines", reads, lines.size()).hasSizeLessThanOrEqualTo(2 + loopSeconds / WINDOW_SECONDS + 1);
                for (JsonNode summary : lines.subList(1, lines.size())) {
                    assertThat(summary.path("summary").asBoolean()).isTrue();
                    assertThat(summary.path("output").asText()).isEqualTo(lines.getFirst().path("output").asText());
                }

                String metrics = get("http://127.0.0.1:" + metricsPort + "/metrics");
                assertThat(metric(metrics, "eunomia_alerts_suppressed_total")).as(metrics).isEqualTo(reads - 1);
                assertThat(metric(metrics, "eunomia_alerts_total")).isEqualTo(reads);

                // Alertmanager holds one alert for the group, kept firing by the summaries.
                JsonNode held = null;
                while (held == null || !held.path("annotations").path("summary").asText().contains("more times")) {
                    assertThat(System.nanoTime()).as("Alertmanager holds %s; monitor said:\n%s", held, log).isLessThan(deadline);
                    List<JsonNode> stored = stored(am);
                    assertThat(stored).as("one Alertmanager alert for the storm").hasSizeLessThanOrEqualTo(1);
                    held = stored.isEmpty() ? null : stored.getFirst();
                    Thread.sleep(200);
                }
                assertThat(held.path("labels").path("proc_name").asText()).isEqualTo(name);
                assertThat(held.path("labels").path("fd_name").asText()).isEqualTo("/etc/shadow");
                assertThat(held.path("labels").has("proc_pid")).as("the pid does not split the group").isFalse();
                assertThat(metric(get("http://127.0.0.1:" + metricsPort + "/metrics"), "eunomia_alertmanager_sent_total"))
                        .as("posts to Alertmanager: one per line (and the warm-up's), not one per read").isLessThanOrEqualTo(lines.size() + 1);
                System.out.println(reads + " reads of /etc/shadow in " + loopSeconds + " s -> " + lines.size() + " alert lines");
            } finally {
                if (loop != null) {
                    loop.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
                monitor.destroy();
                if (!monitor.waitFor(20, TimeUnit.SECONDS)) {
                    monitor.destroyForcibly();
                }
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** The monitor's JSON lines for our program. */
    private static List<JsonNode> ours(Path out, String name) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(out)) {
            if (l.startsWith("{")) {
                JsonNode n = JSON.readTree(l);
                if (RULE.equals(n.path("rule").asText()) && n.path("output").asText().contains("process=" + name + " ")) {
                    lines.add(n);
                }
            }
        }
        return lines;
    }

    private static long total(List<JsonNode> lines) {
        return lines.stream().mapToLong(l -> l.path("count").asLong()).sum();
    }

    private static List<JsonNode> stored(AlertmanagerServer am) throws Exception {
        List<JsonNode> ours = new ArrayList<>();
        for (JsonNode a : JSON.readTree(get(am.url() + "/api/v2/alerts"))) {
            if (a.path("labels").path("alertname").asText().equals(RULE)) {
                ours.add(a);
            }
        }
        return ours;
    }

    /** A counter of our rule (or one without labels), summed over its series. */
    private static long metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            if (m.group(1) == null || !m.group(1).contains("rule=") || m.group(1).contains("rule=\"" + RULE + "\"")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return Math.round(sum);
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

}
