package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.EunomiaProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case: a second monitor started while one runs, both with stdout sent to the same
 * file the way a shell's {@code > file} does it (each with its own file offset). Each monitor
 * reports each act once, as one whole line; none writes over the other's lines; the second is
 * told that another monitor runs.
 */
class TwoMonitorsOneFileTest {
    private static final Pattern WHOLE_LINE = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z [A-Z]+ [^\\n]*");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:");

    @Test
    void everyAlertIsOneWholeLineOncePerMonitor(@TempDir Path dir) throws Exception {
        Path alerts = dir.resolve("alerts.log");
        List<Process> monitors = new ArrayList<>();
        try {
            Path lock = dir.resolve("monitor.lock"); // not the host's: other monitors may run here
            String first = start(alerts, lock, monitors);
            assertThat(first).doesNotContain("another eunomia monitor");
            String second = start(alerts, lock, monitors);
            assertThat(second).contains("WARNING: another eunomia monitor is running (pid " + monitors.get(0).pid() + ")");

            // Reads of different lengths (program names), so the two monitors' offsets would drift apart.
            List<Long> pids = new ArrayList<>();
            for (List<String> read : List.of(List.of("cat", "/etc/shadow"), List.of("head", "-c", "1", "/etc/shadow"),
                    List.of("tail", "-c", "1", "/etc/shadow"), List.of("cat", "/etc/shadow", "/etc/hostname"))) {
                Process p = new ProcessBuilder(read).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                p.waitFor();
                pids.add(p.pid());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!pids.stream().allMatch(pid -> linesOf(alerts, pid).size() >= 2) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            String text = Files.readString(alerts);
            for (long pid : pids) {
                assertThat(linesOf(alerts, pid)).as("alert lines of pid %d in:\n%s", pid, text).hasSize(2);
            }
            for (String line : text.split("\n")) {
                assertThat(line).as("a whole line").matches(WHOLE_LINE);
                assertThat(TIMESTAMP.matcher(line).results().count()).as("one alert per line: %s", line).isEqualTo(1);
            }
            assertThat(text).endsWith("\n");
        } finally {
            for (Process p : monitors) {
                p.destroy();
            }
            for (Process p : monitors) {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** Starts `monitor` with stdout truncating the file (as `> file`); returns stderr up to its ready line. */
    private static String start(Path alerts, Path lock, List<Process> monitors) throws Exception {
        Process p = EunomiaProcess.builder(List.of(), java.util.Map.of("EUNOMIA_MONITOR_LOCK", lock.toString()),
                        System.getProperty("java.class.path"), "monitor", "--aggregate", "0", "--no-metrics")
                .redirectOutput(alerts.toFile()).start();
        monitors.add(p);
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = err.readLine(); line != null; line = err.readLine()) {
            seen.append(line).append('\n');
            if (line.contains("monitoring with")) {
                Thread.ofPlatform().daemon().start(() -> err.lines().forEach(l -> { })); // keep stderr drained
                return seen.toString();
            }
        }
        throw new AssertionError("monitor ended before it was ready:\n" + seen);
    }

    private static List<String> linesOf(Path alerts, long pid) {
        try {
            return Files.readAllLines(alerts).stream().filter(l -> l.contains("Read sensitive file")
                    && l.contains(" pid=" + pid + " ")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
