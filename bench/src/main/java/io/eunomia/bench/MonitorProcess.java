package io.eunomia.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `eunomia monitor` (default pack) in its own JVM, as the launcher starts it, with /metrics on a
 * free port and alerts discarded; its CPU, threads, memory and event counts.
 */
record MonitorProcess(Process process, int metricsPort, HttpClient http) implements AutoCloseable {
    private static final Pattern EVENTS = Pattern.compile("(?m)^eunomia_events_total\\{[^}]*} ([0-9.eE+]+)$");
    private static final Pattern DROPPED = Pattern.compile("(?m)^eunomia_dropped_events_total\\{[^}]*} ([0-9.eE+]+)$");
    private static final Pattern SKIPPED = Pattern.compile("(?m)^eunomia_events_skipped_total\\{[^}]*} ([0-9.eE+]+)$");

    /**
     * How the monitor is started: the launcher's JVM flags, its jar (absent = the bench's class path),
     * more options of {@code eunomia monitor} (--ring-mib N), and variables for the monitor's environment
     * alone (./eunomia's malloc settings: the workloads measured keep the caller's environment).
     */
    record Launch(List<String> jvmFlags, Optional<Path> jar, List<String> monitorOptions, java.util.Map<String, String> env) {
        Launch {
            env = java.util.Map.copyOf(env);
        }
    }

    /** Starts the monitor and waits until it says it is monitoring. */
    static MonitorProcess start(Launch launch, List<String> extraFlags, Path work) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(launch.jvmFlags());
        cmd.addAll(extraFlags);
        cmd.addAll(launch.jar().map(jar -> List.of("-jar", jar.toString()))
                .orElse(List.of("-cp", System.getProperty("java.class.path"), "io.eunomia.engine.Main")));
        cmd.addAll(List.of("monitor",
                "--metrics-address", "127.0.0.1:" + port, "--rule-cache", work.resolve("rule-cache").toString()));
        cmd.addAll(launch.monitorOptions());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(launch.env());
        Process p = pb.start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder said = new StringBuilder();
        for (String line = err.readLine(); ; line = err.readLine()) {
            if (line == null) {
                throw new IOException("the monitor stopped before it was ready:\n" + said);
            }
            said.append(line).append('\n');
            if (line.contains("monitoring with")) {
                break;
            }
        }
        Thread.ofVirtual().start(() -> {
            try {
                err.lines().forEach(l -> { });   // drained, so the monitor never blocks on a full pipe
            } catch (java.io.UncheckedIOException closed) {
                // the monitor stopped
            }
        });
        return new MonitorProcess(p, port, HttpClient.newHttpClient());
    }

    /** user + system CPU seconds of the monitor's JVM (all its threads). */
    double cpuSeconds() throws IOException {
        return ProcCpu.seconds(process.pid());
    }

    /**
     * The run time of the monitor's live threads in ns (/proc/PID/task/TID/schedstat): finer than
     * {@link #cpuSeconds()}'s 10 ms ticks, for short stretches (a thread that ends in between drops out).
     */
    long runNanos() throws IOException {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    sum += Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                } catch (IOException e) {
                    if (!threadEnded(e)) {
                        throw e;
                    }
                }
            }
        }
        return sum;
    }

    /** user + system CPU seconds of the monitor's threads named so (comm: the first 15 characters); 0 when none. */
    double threadCpuSeconds(String name) throws IOException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        double sum = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().equals(comm)) {
                        sum += ProcCpu.ofStat(t.resolve("stat"));
                    }
                } catch (IOException e) {
                    if (!threadEnded(e)) {
                        throw e;
                    }
                }
            }
        }
        return sum;
    }

    /**
     * Per thread name (a pool's threads summed): CPU seconds (user + system) and voluntary
     * context switches (wake-ups after a wait) since the thread started.
     */
    Map<String, double[]> threads() throws IOException {
        Map<String, double[]> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+$", "");
                    double cpu = ProcCpu.ofStat(t.resolve("stat"));
                    double switches = 0;
                    for (String l : Files.readAllLines(t.resolve("status"))) {
                        if (l.startsWith("voluntary_ctxt_switches:")) {
                            switches = Double.parseDouble(l.substring(l.indexOf(':') + 1).strip());
                        }
                    }
                    double[] sum = out.computeIfAbsent(name, k -> new double[2]);
                    sum[0] += cpu;
                    sum[1] += switches;
                } catch (IOException e) {
                    if (!threadEnded(e)) {
                        throw e;
                    }
                }
            }
        }
        return out;
    }

    /**
     * A thread that ended while its /proc entry was read: the entry is gone (ENOENT), or still listed
     * while its files answer ESRCH ("No such process"); a soak's reading must not die of either.
     */
    private static boolean threadEnded(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException
                || (e instanceof java.nio.file.FileSystemException f && "No such process".equals(f.getReason()))
                || "No such process".equals(e.getMessage());   // ESRCH from the read itself, not the open
    }

    double rssMiB() throws IOException {
        return statusMiB("VmRSS:");
    }

    /** Of the RSS, the file-backed pages (the jar, the AOT cache, libraries): clean, shared, reclaimable. */
    double rssFileMiB() throws IOException {
        return statusMiB("RssFile:");
    }

    private double statusMiB(String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (l.startsWith(field)) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** Events the sensors delivered (eunomia_events_total summed over types). */
    double events() throws Exception {
        return sum(EVENTS);
    }

    /** Events lost on the way (eunomia_dropped_events_total summed over sources and stages: a full ring, ...). */
    double dropped() throws Exception {
        return sum(DROPPED);
    }

    /** Events no rule's pattern could accept, kept out of the rule session (summed over types). */
    double skipped() throws Exception {
        return sum(SKIPPED);
    }

    private double sum(Pattern series) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = series.matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** Waits until the event count stops moving (the pipeline has caught up), at most 5 s. */
    void awaitQuiet() throws Exception {
        double before = events();
        for (int i = 0; i < 10; i++) {
            Thread.sleep(500);
            double now = events();
            if (now == before) {
                return;
            }
            before = now;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
