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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the real {@code eunomia monitor} (default pack, the launcher's JVM flags, warmed up) costs
 * the programs on the host: each workload's time with and without the monitor, off and on
 * interleaved round by round (order alternating), the ratio taken within the round, each side the
 * best of three runs; the monitor's CPU per 1k events during the workloads and idle; the web server
 * ({@link WebBench}); then a soak at a steady event rate: CPU per event and RSS over time.
 */
final class WorkloadBench {
    private static final int REPEATS = 3;
    private static final long SETTLE_MILLIS = 12_000;
    /** Start-up and the JIT's first compiles before the idle reading begins. */
    private static final int IDLE_SETTLE_SECONDS = 60;

    /** One figure of a workload run: seconds (lower is better). */
    private record Figure(String name, double value, boolean higherIsBetter, String unit) {
        static Figure seconds(double s) {
            return new Figure("", s, false, "s");
        }

        /** The figure named in the table: the workload's name, then what the figure is. */
        Figure of(Workload w) {
            return new Figure(name.isEmpty() ? w.name() : w.name() + ": " + name, value, higherIsBetter, unit);
        }
    }

    /** A workload: what one run of it measures. */
    private record Workload(String name, Measure measure) {}

    @FunctionalInterface
    private interface Measure {
        List<Figure> run() throws Exception;
    }

    /**
     * @param launch      the launcher's JVM flags (bench/run.sh passes scripts/setup.sh's EUNOMIA_JVM_FLAGS), its jar
     *                    (run with {@code -jar} as ./eunomia does: an AOT cache fits only the jar it was made for;
     *                    absent = the bench's class path) and the monitor's options (--ring-mib)
     * @param soakSeconds how long the soak runs (0 = no soak)
     * @param soakRate    events per second the soak offers
     * @param webRounds   paired rounds of the web-server part ({@link WebBench}; 0 = none)
     * @param idleSeconds how long the idle reading runs, after {@link #IDLE_SETTLE_SECONDS} (0 = none)
     * @param only        words naming the workloads to run (a workload runs when its name contains one; empty = all)
     */
    record Settings(MonitorProcess.Launch launch, int rounds, int soakSeconds, int soakRate, int webRounds, int idleSeconds,
                    List<String> only) {
        List<String> jvmFlags() {
            return launch.jvmFlags();
        }
    }

    private final Settings settings;
    private final Path loop;
    private final Path work;

    private WorkloadBench(Settings settings, Path loop, Path work) {
        this.settings = settings;
        this.loop = loop;
        this.work = work;
    }

    static void run(Path loop, Settings settings) throws Exception {
        try (WorkDir work = WorkDir.create("eunomia-workloads-")) {
            new WorkloadBench(settings, loop, work.path()).measure();
        }
    }

    private void measure() throws Exception {
        if (settings.rounds() > 0) {
            workloads();
        }
        if (settings.webRounds() > 0) {
            WebBench.run(settings.launch(), settings.webRounds(), work);
        }
        if (settings.idleSeconds() > 0) {
            idle();
        }
        if (settings.soakSeconds() > 0) {
            soak();
        }
    }

    /**
     * The monitor with no workload of ours, twice: watching the host (on a shared machine others'
     * processes deliver events: counted, so they can be told from the monitor's timers), and with its
     * sensors scoped to an empty mount namespace (nothing to watch: what an idle host costs, its
     * timers and wake-ups alone). CPU over idleSeconds after {@link #IDLE_SETTLE_SECONDS}, per thread.
     */
    private void idle() throws Exception {
        idleReading("watching the host", List.of());
        Process empty = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sleep", "100000")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long ns = mountNamespace(empty.pid());
            for (int i = 0; i < 50 && ns == mountNamespace(ProcessHandle.current().pid()); i++) {
                Thread.sleep(20);
                ns = mountNamespace(empty.pid());
            }
            if (ns == mountNamespace(ProcessHandle.current().pid())) {
                throw new IOException("unshare --mount did not make a mount namespace");
            }
            idleReading("sensors scoped to an empty mount namespace (" + ns + ")", List.of("-Deunomia.bench.mntns=" + ns));
        } finally {
            empty.destroy();
            empty.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static long mountNamespace(long pid) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "ns", "mnt")).toString();
        return Long.parseLong(link.replaceAll("[^0-9]", ""));
    }

    private void idleReading(String what, List<String> extraFlags) throws Exception {
        System.out.printf("%n== idle, %s: the monitor with no workload of ours, %d s after %d s of settling; %s%n",
                what, settings.idleSeconds(), IDLE_SETTLE_SECONDS, uptime());
        System.out.println("   JVM flags: " + String.join(" ", settings.jvmFlags()) + " " + String.join(" ", extraFlags));
        try (MonitorProcess m = MonitorProcess.start(settings.launch(), extraFlags, work)) {
            Thread.sleep(IDLE_SETTLE_SECONDS * 1000L);
            // The /metrics reads (the event counts) stay outside the CPU window: rendering them is not idle work.
            double events0 = m.events();
            Map<String, double[]> before = m.threads();
            double cpu0 = m.cpuSeconds();
            long t0 = System.nanoTime();
            Thread.sleep(settings.idleSeconds() * 1000L);
            double cpu = m.cpuSeconds() - cpu0;
            Map<String, double[]> after = m.threads();
            double secs = (System.nanoTime() - t0) / 1e9;
            double events = m.events() - events0;
            System.out.printf(Locale.ROOT, "idle: monitor CPU %.2f%% of a CPU over %.0f s; events delivered meanwhile %.0f"
                            + " (%.1f/s, others' processes); RSS %.0f MiB (%.0f MiB file-backed); %s%n",
                    100 * cpu / secs, secs, events, events / secs, m.rssMiB(), m.rssFileMiB(), uptime());
            printThreads(before, after, secs, 0);
        }
    }

    /**
     * Each thread's CPU and voluntary context switches (its wake-ups) between two readings, and per
     * event when {@code events} > 0; threads that neither ran nor woke once a second are left out.
     */
    private static void printThreads(Map<String, double[]> before, Map<String, double[]> after, double secs, double events) {
        System.out.println(events > 0 ? "| thread | CPU % | wake-ups/s | CPU µs/event |\n|---|---|---|---|"
                : "| thread | CPU % | wake-ups/s |\n|---|---|---|");
        after.forEach((name, a) -> {
            double[] b = before.getOrDefault(name, new double[2]);
            if (a[0] > b[0] || a[1] - b[1] >= secs) {
                System.out.printf(Locale.ROOT, "| %s | %.3f | %.1f |" + (events > 0 ? " %.2f |" : "") + "%n", name,
                        100 * (a[0] - b[0]) / secs, (a[1] - b[1]) / secs, (a[0] - b[0]) * 1e6 / Math.max(1, events));
            }
        });
    }

    private void workloads() throws Exception {
        System.out.printf("%n== workloads: the real monitor (default pack), off/on interleaved, %d rounds; %s%n",
                settings.rounds(), uptime());
        System.out.println("   JVM flags: " + String.join(" ", settings.jvmFlags()) + "; monitor options: "
                + String.join(" ", settings.launch().monitorOptions()) + "; monitor's environment: " + settings.launch().env());
        List<Workload> chosen = fileWorkloads().stream()
                .filter(w -> settings.only().isEmpty() || settings.only().stream().anyMatch(w.name()::contains)).toList();
        if (!chosen.isEmpty()) {
            compare(chosen);
        }
    }

    private List<Workload> fileWorkloads() throws IOException {
        Path empty = work.resolve("empty.c");
        Files.writeString(empty, "");
        Path repo = Path.of("").toAbsolutePath();
        return List.of(
                new Workload("tar cf /dev/null -C /usr/lib python3", () -> time("tar", "cf", "/dev/null", "-C", "/usr/lib", "python3")),
                new Workload("git status + git log -p -n 200", () -> time(repo, "sh", "-c",
                        "git status >/dev/null && git log -p -n 200 >/dev/null")),
                new Workload("300 x /bin/true", () -> time("sh", "-c", "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done")),
                new Workload("10 x gcc -O0 -c (empty file)", () -> time(work, "sh", "-c",
                        "for i in 1 2 3 4 5 6 7 8 9 10; do gcc -O0 -c " + empty + " -o " + work.resolve("empty.o") + "; done")));
    }

    /** Off and on, interleaved round by round; prints the table and the monitor's own figures. */
    private void compare(List<Workload> workloads) throws Exception {
        Map<String, Figure> figures = new LinkedHashMap<>();   // each figure's name, unit, direction
        Map<String, List<Double>> off = new LinkedHashMap<>();
        Map<String, List<Double>> on = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        List<Double> usPerEvent = new ArrayList<>();
        List<Double> idlePercent = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        List<Double> rssFile = new ArrayList<>();   // of it file-backed: the jar, the AOT cache, libraries
        for (int r = 0; r < settings.rounds(); r++) {
            Map<String, Double> offRound = null;
            Map<String, Double> onRound = null;
            for (boolean monitored : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                if (!monitored) {
                    runAll(workloads, figures);     // warm-up as for the monitored side: page cache, gcc, git
                    offRound = runAll(workloads, figures);
                    continue;
                }
                try (MonitorProcess m = MonitorProcess.start(settings.launch(), List.of(), work)) {
                    runAll(workloads, figures);     // warm-up: JIT, caches, containers seen
                    Thread.sleep(2000);
                    double[] idle0 = {m.cpuSeconds(), System.nanoTime()};
                    Thread.sleep(5000);
                    idlePercent.add(100 * (m.cpuSeconds() - idle0[0]) / ((System.nanoTime() - idle0[1]) / 1e9));
                    double cpu0 = m.cpuSeconds();
                    double events0 = m.events();
                    onRound = runAll(workloads, figures);
                    m.awaitQuiet();
                    double events = m.events() - events0;
                    usPerEvent.add(events > 0 ? (m.cpuSeconds() - cpu0) * 1e6 / events : Double.NaN);
                    rss.add(m.rssMiB());
                    rssFile.add(m.rssFileMiB());
                }
                // The kernel releases the monitor's ~110 tracepoint links from a worker for 5–8 s
                // after it exits (README, honest limits): RCU work that slowed the next
                // unmonitored side's execs up to 2.7× (gcc) before this wait.
                Thread.sleep(SETTLE_MILLIS);
            }
            for (Figure f : figures.values()) {
                double a = offRound.get(f.name());
                double b = onRound.get(f.name());
                off.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(a);
                on.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(b);
                ratios.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f.higherIsBetter() ? a / b : b / a);
            }
            // Each round's ratios as it ends: a run cut short on a loaded machine still tells something.
            StringBuilder line = new StringBuilder();
            ratios.forEach((name, rs) -> line.append(String.format(Locale.ROOT, "%s%s ×%.3f", line.isEmpty() ? "" : "; ", name, rs.getLast())));
            System.out.printf("   round %d done (%s); %s%n", r + 1, line, uptime());
        }
        System.out.printf("%n| workload | off (median) | on (median) | ratio min / median / max |%n|---|---|---|---|%n");
        for (Figure f : figures.values()) {
            String fmt = "%.3f";
            List<Double> r = ratios.get(f.name());
            System.out.printf(Locale.ROOT, "| %s | " + fmt + " %s | " + fmt + " %s | ×%.3f / ×%.3f / ×%.3f |%n", f.name(),
                    Bench.median(off.get(f.name())), f.unit(), Bench.median(on.get(f.name())), f.unit(),
                    min(r), Bench.median(r), max(r));
        }
        System.out.println("(ratio: time on/off)");
        System.out.printf(Locale.ROOT, "%nmonitor CPU per event during the workloads: %.1f µs (median of rounds; %.1f–%.1f)%n",
                Bench.median(usPerEvent), min(usPerEvent), max(usPerEvent));
        System.out.printf(Locale.ROOT, "monitor idle CPU (5 s after warm-up): %.2f%% of a CPU (median; %.2f–%.2f)%n",
                Bench.median(idlePercent), min(idlePercent), max(idlePercent));
        System.out.printf(Locale.ROOT, "monitor RSS after the workloads: %.0f MiB (median; %.0f–%.0f; file-backed %.0f MiB)%n",
                Bench.median(rss), min(rss), max(rss), Bench.median(rssFile));
        System.out.println("   " + uptime());
    }

    /** A steady rate of file events (write-opens of /dev/null: never read-filtered) for soakSeconds. */
    private void soak() throws Exception {
        System.out.printf("%n== soak: %d events/s offered for %d s; %s%n", settings.soakRate(), settings.soakSeconds(), uptime());
        System.out.println("   JVM flags: " + String.join(" ", settings.jvmFlags()));
        try (MonitorProcess m = MonitorProcess.start(settings.launch(), List.of(), work)) {
            Thread.sleep(3000);
            // Before any event of ours: what start-up left (the soak's RSS is read against it).
            System.out.printf(Locale.ROOT, "RSS 3 s after ready: %.0f MiB (%.0f MiB file-backed)%n", m.rssMiB(), m.rssFileMiB());
            long pace = 1_000_000_000L / settings.soakRate();
            long iterations = (long) settings.soakRate() * settings.soakSeconds();
            Process gen = new ProcessBuilder(loop.toString(), "openwrite", String.valueOf(iterations), String.valueOf(pace))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            double cpu0 = m.cpuSeconds();
            double events0 = m.events();
            double skipped0 = m.skipped();
            double dropped0 = m.dropped();
            double pipeline0 = m.threadCpuSeconds("eunomia-pipeline");
            Map<String, double[]> threads0 = m.threads();
            long t0 = System.nanoTime();
            System.out.println("| t (s) | events/s | CPU µs/event | CPU % | RSS MiB |\n|---|---|---|---|---|");
            int step = Math.max(10, settings.soakSeconds() / 10);
            double lastCpu = cpu0;
            double lastEvents = events0;
            long last = t0;
            List<Double> rss = new ArrayList<>();
            while (!gen.waitFor(step, TimeUnit.SECONDS)) {
                double cpu = m.cpuSeconds();
                double events = m.events();
                long now = System.nanoTime();
                double secs = (now - last) / 1e9;
                rss.add(m.rssMiB());
                System.out.printf(Locale.ROOT, "| %.0f | %.0f | %.2f | %.1f | %.0f |%n", (now - t0) / 1e9,
                        (events - lastEvents) / secs, (cpu - lastCpu) * 1e6 / Math.max(1, events - lastEvents),
                        100 * (cpu - lastCpu) / secs, rss.getLast());
                lastCpu = cpu;
                lastEvents = events;
                last = now;
            }
            m.awaitQuiet();
            double events = m.events() - events0;
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = m.cpuSeconds() - cpu0;
            double skipped = m.skipped() - skipped0;
            double dropped = m.dropped() - dropped0;
            double pipeline = m.threadCpuSeconds("eunomia-pipeline") - pipeline0;
            Map<String, double[]> threads = m.threads();
            System.out.printf(Locale.ROOT, "soak: %.0f events in %.0f s (%.0f/s), %.0f%% kept out of the rule session (no pattern"
                            + " could accept them); monitor CPU %.1f s = %.2f µs per event"
                            + " (%.2f ms per 1k events), of it the rule session's thread %.2f µs; RSS %.0f–%.0f MiB, last %.0f MiB"
                            + " (%.0f MiB of it file-backed); %.0f events dropped; %s%n",
                    events, secs, events / secs, 100 * skipped / events, cpu, cpu * 1e6 / events, cpu * 1e6 / events,
                    pipeline * 1e6 / events,
                    rss.isEmpty() ? m.rssMiB() : min(rss), rss.isEmpty() ? m.rssMiB() : max(rss), m.rssMiB(), m.rssFileMiB(), dropped, uptime());
            printThreads(threads0, threads, secs, events);
        }
    }

    /** Each figure's best of {@link #REPEATS} runs of its workload: on a shared machine the best is the least disturbed. */
    private Map<String, Double> runAll(List<Workload> workloads, Map<String, Figure> figures) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Workload w : workloads) {
            for (int i = 0; i < REPEATS; i++) {
                for (Figure run : w.measure().run()) {
                    Figure f = run.of(w);
                    figures.putIfAbsent(f.name(), f);
                    out.merge(f.name(), f.value(), f.higherIsBetter() ? Math::max : Math::min);
                }
            }
        }
        return out;
    }

    private static List<Figure> time(String... cmd) throws Exception {
        return time(null, cmd);
    }

    private static List<Figure> time(Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        double cpu0 = ProcCpu.reapedChildrenSeconds();
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        double cpu = ProcCpu.reapedChildrenSeconds() - cpu0;
        if (rc != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + rc);
        }
        // Its CPU as well: the monitor's BPF programs run in the workload's tasks (system time), and
        // others' load moves CPU time far less than wall time (the monitor's own CPU is not in it).
        return List.of(Figure.seconds(s), new Figure("CPU", cpu, false, "s"));
    }

    private static String uptime() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return "load average " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
    }
}
