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
 * the programs on the host: each workload's wall time and CPU with and without the monitor, off and
 * on paired round by round (order alternating), each side running each workload again and again
 * ({@link WorkloadRuns}), the ratio of the sides' medians taken within the round, judged against
 * issue 15's ×1.10 by its confidence interval over rounds ({@link PairedRounds}, {@link Verdict});
 * the monitor's CPU per event during the workloads and idle; the web server ({@link WebBench});
 * then a soak at a steady event rate: CPU per event and RSS over time.
 */
final class WorkloadBench {
    /** Issue 15's target: every workload ≤ ×1.10 with the monitor. */
    static final double TARGET = 1.10;
    /** The most to wait after the monitor exits for its links to be released (they took 5–8 s on a quiet machine). */
    private static final long SETTLE_MAX_MILLIS = 60_000;
    /** Start-up and the JIT's first compiles before the idle reading begins. */
    private static final int IDLE_SETTLE_SECONDS = 60;

    /**
     * @param launch      the launcher's JVM flags (bench/run.sh passes scripts/setup.sh's EUNOMIA_JVM_FLAGS), its jar
     *                    (run with {@code -jar} as ./eunomia does: an AOT cache fits only the jar it was made for;
     *                    absent = the bench's class path) and the monitor's options (--ring-mib)
     * @param soakSeconds how long the soak runs (0 = no soak)
     * @param soakRate    events per second the soak offers
     * @param webRounds   paired rounds of the web-server part ({@link WebBench}; 0 = none)
     * @param idleSeconds how long the idle reading runs, after {@link #IDLE_SETTLE_SECONDS} (0 = none)
     * @param only        the keys of the workloads to run (exact: tar, git, true, gcc; empty = all)
     * @param runTimes    the compiled run_times (bench/src/main/c/run_times.c)
     * @param secondsPerSide how long each workload runs again and again per side and round
     */
    record Settings(MonitorProcess.Launch launch, int rounds, int soakSeconds, int soakRate, int webRounds, int idleSeconds,
                    List<String> only, Path runTimes, double secondsPerSide) {
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
        List<WorkloadRuns.Workload> chosen = WorkloadRuns.chosen(work, settings.only());
        if (chosen.isEmpty()) {
            return;
        }
        WorkloadRuns runs = new WorkloadRuns(settings.runTimes(), settings.secondsPerSide());
        System.out.printf(Locale.ROOT, "%n== workloads: the real monitor (default pack), off/on paired, order alternating, %d rounds;"
                + " per side each workload again and again for %.1f s (run_times: wall, and CPU of its tree from wait4); %s%n",
                settings.rounds(), runs.seconds(), uptime());
        System.out.println("   JVM flags: " + String.join(" ", settings.jvmFlags()) + "; monitor options: "
                + String.join(" ", settings.launch().monitorOptions()) + "; monitor's environment: " + settings.launch().env());
        long t0 = System.nanoTime();
        MonitoredSide monitored = new MonitoredSide(settings.launch(), work, runs, chosen);
        Map<String, PairedRounds.Side> sides = new LinkedHashMap<>();
        sides.put("off", () -> runs.side(chosen));
        sides.put("on", monitored);
        PairedRounds.Pairs pairs = PairedRounds.run(sides, settings.rounds());
        PairedRounds.table("off", pairs, TARGET);
        monitored.print();
        System.out.printf(Locale.ROOT, "   the workload rounds took %.1f min; %s%n", (System.nanoTime() - t0) / 60e9, uptime());
    }

    /**
     * A side with the real monitor: started, the workloads once each (its JIT, caches), 2 s, then its
     * idle CPU over 5 s, then the workloads' runs; its CPU per event, idle CPU and RSS are kept per
     * round. After it exits, a wait until the host's BPF link count is back to what it was before it
     * started (at most {@link #SETTLE_MAX_MILLIS}): the kernel releases the monitor's ~110 tracepoint
     * links from a worker for 5–8 s (README, honest limits), RCU work that slowed the next unmonitored
     * side's execs up to 2.7× (gcc) before a wait.
     */
    static final class MonitoredSide implements PairedRounds.Side {
        private final MonitorProcess.Launch launch;
        private final Path work;
        private final WorkloadRuns runs;
        private final List<WorkloadRuns.Workload> workloads;
        private final List<Double> usPerEvent = new ArrayList<>();
        private final List<Double> idlePercent = new ArrayList<>();
        private final List<Double> rss = new ArrayList<>();
        private final List<Double> rssFile = new ArrayList<>();   // of it file-backed: the jar, the AOT cache, libraries

        MonitoredSide(MonitorProcess.Launch launch, Path work, WorkloadRuns runs, List<WorkloadRuns.Workload> workloads) {
            this.launch = launch;
            this.work = work;
            this.runs = runs;
            this.workloads = workloads;
        }

        @Override
        public Map<WorkloadRuns.Workload, WorkloadRuns.Runs> run() throws Exception {
            long linksBefore = PairedRounds.bpfLinks();
            try (MonitorProcess m = MonitorProcess.start(launch, List.of(), work)) {
                for (WorkloadRuns.Workload w : workloads) {
                    runs.run(w, 0, 1);   // warm-up: JIT, caches, containers seen (side() warms up once more)
                }
                Thread.sleep(2000);
                double[] idle0 = {m.cpuSeconds(), System.nanoTime()};
                Thread.sleep(5000);
                idlePercent.add(100 * (m.cpuSeconds() - idle0[0]) / ((System.nanoTime() - idle0[1]) / 1e9));
                double cpu0 = m.cpuSeconds();
                double events0 = m.events();
                Map<WorkloadRuns.Workload, WorkloadRuns.Runs> out = runs.side(workloads);
                m.awaitQuiet();
                double events = m.events() - events0;
                usPerEvent.add(events > 0 ? (m.cpuSeconds() - cpu0) * 1e6 / events : Double.NaN);
                rss.add(m.rssMiB());
                rssFile.add(m.rssFileMiB());
                return out;
            } finally {
                long waited = PairedRounds.awaitLinksBackTo(linksBefore, SETTLE_MAX_MILLIS);
                System.out.printf(Locale.ROOT, "   after the monitor: waited %.1f s for the host's BPF links to be back to %s%s%n",
                        waited / 1e3, linksBefore < 0 ? "? (bpftool failed: the whole bound)" : Long.toString(linksBefore),
                        linksBefore >= 0 && waited >= SETTLE_MAX_MILLIS ? " (gave up: still more)" : "");
            }
        }

        void print() {
            System.out.printf(Locale.ROOT, "%nmonitor CPU per event during the workloads: %.1f µs (median of rounds; %.1f–%.1f)%n",
                    Bench.median(usPerEvent), min(usPerEvent), max(usPerEvent));
            System.out.printf(Locale.ROOT, "monitor idle CPU (5 s after warm-up): %.2f%% of a CPU (median; %.2f–%.2f)%n",
                    Bench.median(idlePercent), min(idlePercent), max(idlePercent));
            System.out.printf(Locale.ROOT, "monitor RSS after the workloads: %.0f MiB (median; %.0f–%.0f; file-backed %.0f MiB)%n",
                    Bench.median(rss), min(rss), max(rss), Bench.median(rssFile));
        }
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
