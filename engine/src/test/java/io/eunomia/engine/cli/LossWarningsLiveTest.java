package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.testkit.BesideTheStream;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running monitor says on its log stream when the kernel loses records (its ring buffer full), with a
 * count the metric backs, and keeps its JSON alert output machine-readable; a monitor that lost nothing says nothing.
 */
@BesideTheStream
class LossWarningsLiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** LossWarnings' kernel part: what each sensor lost since the last warning ("file 120, process 3"), then the total. */
    private static final Pattern WARNING = Pattern.compile("WARNING: events lost since start.*kernel could not deliver \\(.*?\\): (.*?) \\((\\d+) in all;");
    private static final Pattern METRICS = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    /** How long after an act its alert may take, losses or not (a loaded host: the pipeline takes ~0.1-0.3 s at load 7). */
    private static final long ALERT_BOUND_SECONDS = 10;
    private static final Pattern KERNEL_DROPS = Pattern.compile("(?m)^eunomia_dropped_events_total\\{[^}]*stage=\"kernel\"[^}]*\\} ([0-9.eE+-]+)$");

    @TempDir
    static Path dir;

    @Test
    void aStalledReaderOnTheSmallestRingIsReportedWithACountTheMetricBacks() throws Exception {
        Process monitor = EunomiaProcess.builder("monitor", "--ring-mib", "1", "--format", "json", "--no-rule-cache",
                "--no-default-rules", "--rules", rule().toString(), "--aggregate", "0", "--no-control",
                "--metrics-address", "127.0.0.1:0", "--duration", "180").start();
        // stdout read as it comes: our alert is awaited with a bound, and need not be the last line (a whole-host
        // monitor alerts on every cat of /etc/shadow on this shared machine). Reading on past it waited for the
        // next one's alert, or for the monitor's end: 84 s and more.
        BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader out = monitor.inputReader(StandardCharsets.UTF_8)) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    stdout.add(line);
                }
            } catch (java.io.IOException e) {
                // the monitor stopped: the wait below says what was missing
            }
        });
        try (BufferedReader err = new BufferedReader(new InputStreamReader(monitor.getErrorStream(), StandardCharsets.UTF_8))) {
            Matcher bound = METRICS.matcher(EunomiaProcess.awaitLine(err, "monitoring with"));
            assertThat(bound.find()).isTrue();
            // The reader stopped (SIGSTOP) while the kernel keeps writing: ~100k opens of a file the rule reads,
            // each a record, far beyond what 1 MiB holds.
            signal("-STOP", monitor.pid());
            try {
                for (int i = 0; i < 100_000; i++) {
                    new FileInputStream("/etc/shadow").close();
                }
            } finally {
                signal("-CONT", monitor.pid());
            }
            long resumed = System.nanoTime();
            String warning = EunomiaProcess.awaitLine(err, "events lost since start");
            System.out.printf("%d ms after SIGCONT: %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed), warning);
            Matcher warned = WARNING.matcher(warning);
            assertThat(warned.find()).as(warned.toString()).isTrue();
            long said = Stream.of(warned.group(1).split(", ")).mapToLong(e -> Long.parseLong(e.substring(e.lastIndexOf(' ') + 1))).sum();
            long saidInAll = Long.parseLong(warned.group(2));
            double counted = kernelDrops(Integer.parseInt(bound.group(1)));   // read after the line: it can only have grown
            assertThat(said).isPositive().isLessThanOrEqualTo(saidInAll);
            assertThat((double) saidInAll).isLessThanOrEqualTo(counted);
            // After the losses the monitor alerts again at once: our cat's read within the bound (here 0.1-0.3 s at load 7).
            Process cat = new ProcessBuilder("cat", "/etc/shadow").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(cat.waitFor(60, TimeUnit.SECONDS)).isTrue();
            long ran = System.nanoTime();
            long deadline = ran + TimeUnit.SECONDS.toNanos(ALERT_BOUND_SECONDS);
            List<String> lines = new ArrayList<>();
            for (boolean alerted = false; !alerted; ) {
                String line = stdout.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(line).as("the alert on our cat (pid %d) within %d s after it ran; stdout until then: %s",
                        cat.pid(), ALERT_BOUND_SECONDS, lines).isNotNull();
                lines.add(line);
                JsonNode alert = JSON.readTree(line);   // throws on a line that is not JSON: the warning went to the log stream
                alerted = ours(alert) && alert.path("event").path("process").path("pid").asLong() == cat.pid();
            }
            System.out.printf("%d ms after the cat ran (%d ms after SIGCONT): its alert, %d JSON lines on stdout; kernel drops scraped: %.0f%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ran), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed),
                    lines.size(), counted);
        } finally {
            stop(monitor);
        }
    }

    /**
     * What a full ring loses first (common.bpf.h: ring_shed): a flood of one process's records fills the
     * stopped reader's 1 MiB ring far past full, yet a cat run in the middle of it keeps its exec (vital)
     * and its read of /etc/shadow (its process's first records), and the flood's records are the ones
     * shed, counted by why. Without the ranking the ring is full when the cat runs: both are lost.
     */
    @Test
    void aFloodThatOverflowsTheRingStillDeliversAnExecAndASensitiveReadMadeDuringIt() throws Exception {
        Path rules = dir.resolve("rank-test.yaml");
        Files.writeString(rules, """
                - rule: Rank test read
                  desc: a read made during the flood
                  condition: evt.type = open and fd.name = /etc/shadow and proc.name = cat
                  output: "read %proc.pid"
                  priority: NOTICE
                - rule: Rank test exec
                  desc: an exec made during the flood
                  condition: evt.type = exec and proc.name = cat
                  output: "exec %proc.pid"
                  priority: NOTICE
                """);
        // Scoped to a mount namespace of ours (the benchmarks' property): the host's other records, which this
        // shared machine makes plenty of, cannot fill the ring's rest; the flood and the cats run in it.
        Process holder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sleep", "600").start();
        long ns = mountNamespace(holder.pid());
        Process monitor = EunomiaProcess.builder(List.of(), Map.of("JAVA_TOOL_OPTIONS", "-Deunomia.bench.mntns=" + ns),
                System.getProperty("java.class.path"), "monitor", "--ring-mib", "1", "--format", "json", "--no-rule-cache",
                "--no-default-rules", "--rules", rules.toString(), "--aggregate", "0", "--no-control",
                "--metrics-address", "127.0.0.1:0", "--duration", "180").start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(monitor.getErrorStream(), StandardCharsets.UTF_8));
             BufferedReader out = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
            // The monitor ends before the readers close: closing the one the alert thread is blocked in would
            // wait for the monitor's own end (--duration 180).
            try {
                Matcher bound = METRICS.matcher(EunomiaProcess.awaitLine(err, "monitoring with"));
                assertThat(bound.find()).isTrue();
                long during;
                signal("-STOP", monitor.pid());
                try {
                    // One shell's ~100k opens (a redirection: no process each, ~200-byte records) into a ring of
                    // 1 MiB nobody reads, far past full; a cat; more of the flood.
                    during = inNamespace(holder, "i=0; while [ $i -lt 100000 ]; do : < /etc/shadow; i=$((i+1)); done; "
                            + "cat /etc/shadow >/dev/null & echo $!; wait; "
                            + "i=0; while [ $i -lt 20000 ]; do : < /etc/shadow; i=$((i+1)); done");
                } finally {
                    signal("-CONT", monitor.pid());
                }
                // The ring's order: once the later cat's exec and read alerted, the records before them were processed.
                long after = inNamespace(holder, "cat /etc/shadow >/dev/null & echo $!; wait");
                Map<String, Set<Long>> pids = new ConcurrentHashMap<>();
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (String line = out.readLine(); line != null; line = out.readLine()) {
                            JsonNode alert = JSON.readTree(line);
                            pids.computeIfAbsent(alert.path("rule").asText(), r -> ConcurrentHashMap.newKeySet())
                                    .add(Long.parseLong(alert.path("output").asText().replaceAll("\\D", "")));
                        }
                    } catch (java.io.IOException e) {
                        // the monitor stopped: the assertions below say what was missing
                    }
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!(pids.getOrDefault("Rank test read", Set.of()).contains(after)
                        && pids.getOrDefault("Rank test exec", Set.of()).contains(after)) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                String metrics = scrape(Integer.parseInt(bound.group(1)));
                assertThat(pids.getOrDefault("Rank test exec", Set.of())).as("exec alerts by pid; kernel losses:\n" + losses(metrics)).contains(during, after);
                assertThat(pids.getOrDefault("Rank test read", Set.of())).as("read alerts by pid; kernel losses:\n" + losses(metrics)).contains(during, after);
                System.out.printf("the cat during the flood (pid %d) alerted; kernel losses:%n%s%n", during, losses(metrics));
                // Shed past the budget, or (the host's other records filled the ring further) into the vital-only reserve.
                double flood = shed(metrics, "flood");
                assertThat(flood).as("records shed past their process's budget").isPositive();
                assertThat(flood + shed(metrics, "reserve")).as("records shed from the flood").isGreaterThan(50_000);
                assertThat(kernelDrops(metrics)).as("the total counts them").isGreaterThanOrEqualTo(flood + shed(metrics, "reserve"));
            } finally {
            stop(monitor);
            }
        } finally {
            stop(monitor);
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMonitorThatLostNothingSaysNothingAboutLosses() throws Exception {
        // Scoped to a mount namespace of ours (the benchmarks' property): others' floods on this shared host
        // cannot make it lose records; the monitor's last look at stop comes after our event was processed.
        Process holder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sleep", "600").start();
        try {
            long ns = mountNamespace(holder.pid());
            Process monitor = EunomiaProcess.builder(List.of(), Map.of("JAVA_TOOL_OPTIONS", "-Deunomia.bench.mntns=" + ns),
                    System.getProperty("java.class.path"), "monitor", "--format", "json", "--no-rule-cache",
                    "--no-default-rules", "--rules", rule().toString(), "--aggregate", "0", "--no-control", "--no-metrics",
                    "--duration", "180").start();
            try (BufferedReader err = new BufferedReader(new InputStreamReader(monitor.getErrorStream(), StandardCharsets.UTF_8));
                 BufferedReader out = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
                EunomiaProcess.awaitLine(err, "monitoring with");
                Process cat = new ProcessBuilder("nsenter", "-t", Long.toString(holder.pid()), "-m", "cat", "/etc/shadow")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                assertThat(cat.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String line = out.readLine();
                while (line != null && !ours(JSON.readTree(line))) {
                    line = out.readLine();
                }
                assertThat(line).as("our alert").isNotNull();
                // SIGTERM (Process.destroy would close our end of stderr): a last look at the counters, then the totals.
                signal("-TERM", monitor.pid());
                StringBuilder rest = new StringBuilder();
                for (String l = err.readLine(); l != null; l = err.readLine()) {
                    rest.append(l).append('\n');
                }
                System.out.println("the monitor's log after our alert:\n" + rest);
                assertThat(rest.toString()).contains(" 0 lost in kernel;").doesNotContain("events lost");
            } finally {
                stop(monitor);
            }
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean ours(JsonNode alert) {
        return alert.path("rule").asText().equals("Loss test read");
    }

    private static Path rule() throws Exception {
        Path rule = dir.resolve("loss-test.yaml");
        Files.writeString(rule, """
                - rule: Loss test read
                  desc: an alert that shows a record went through
                  condition: evt.type = open and fd.name = /etc/shadow and proc.name = cat
                  output: "read by %proc.name"
                  priority: NOTICE
                """);
        return rule;
    }

    /** Runs a shell script in the holder's mount namespace to its end: the number it printed (a pid). */
    private static long inNamespace(Process holder, String script) throws Exception {
        Process sh = new ProcessBuilder("nsenter", "-t", Long.toString(holder.pid()), "-m", "sh", "-c", script)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String printed = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(sh.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(sh.exitValue()).as(script).isZero();
        return Long.parseLong(printed);
    }

    private static String scrape(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The exposition's kernel loss lines: drops by sensor, shed by sensor and why. */
    private static String losses(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("eunomia_kernel_records_shed_total")
                || l.startsWith("eunomia_dropped_events_total") && l.contains("kernel")).collect(Collectors.joining("\n"));
    }

    /** The file sensor's records shed for this reason (common.bpf.h: ring_shed). */
    private static double shed(String metrics, String why) {
        Matcher m = Pattern.compile("(?m)^eunomia_kernel_records_shed_total\\{source=\"file\",why=\"" + why + "\"\\} ([0-9.eE+-]+)$")
                .matcher(metrics);
        assertThat(m.find()).as("shed " + why + " in\n" + losses(metrics)).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** The monitor's kernel drops (all its sensors), scraped now. */
    private static double kernelDrops(int port) throws Exception {
        return kernelDrops(scrape(port));
    }

    private static double kernelDrops(String body) {
        Matcher m = KERNEL_DROPS.matcher(body);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static long mountNamespace(long pid) throws Exception {
        Path link = Path.of("/proc", Long.toString(pid), "ns", "mnt");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String self = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        String target = Files.readSymbolicLink(link).toString();
        while (target.equals(self) && System.nanoTime() < deadline) {   // unshare has not made it yet
            Thread.sleep(50);
            target = Files.readSymbolicLink(link).toString();
        }
        assertThat(target).as("the holder's own mount namespace").isNotEqualTo(self);
        return Long.parseLong(target.replaceAll("\\D", ""));
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill " + signal).isZero();
    }

    private static void stop(Process monitor) throws Exception {
        monitor.destroy();
        if (!monitor.waitFor(120, TimeUnit.SECONDS)) {
            monitor.destroyForcibly();
        }
    }
}
