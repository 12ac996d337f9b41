package io.eunomia.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What the real monitor costs a web server (issue 15's "throughput loss ≤ 3%"): Debian's nginx
 * (one worker) under wrk, off and on in many short paired rounds, the order alternating (off on,
 * on off, off on, …: a drift of the machine's load cancels in the pairs). nginx and wrk are pinned
 * to separate CPUs (on 2 CPUs: the worker on one, wrk on the other), the monitor is not (it runs
 * where the scheduler puts it, as in production). Per case and side: requests/s, and CPU per
 * request from /proc (the nginx worker's run time, wrk's, the monitor's: others' work on the
 * machine moves them much less than throughput). Per round the loss in percent; the table gives
 * the median over rounds with a distribution-free confidence interval ({@link MedianInterval}).
 * Then a warmed-up monitor with bpf_stats on for one run per case: each BPF program's time per request.
 */
final class WebBench {
    /** A web-server case: which page, and whether each request comes on a new connection. */
    record WebCase(String name, String page, boolean closeEach) {}

    static final List<WebCase> CASES = List.of(
            new WebCase("0.5 KB, keep-alive", NginxServer.SMALL, false),
            new WebCase("27 KB, keep-alive", NginxServer.LARGE, false),
            new WebCase("0.5 KB, a connection per request", NginxServer.SMALL, true));
    private static final int WRK_SECONDS = 2;
    private static final int RUNS_PER_SIDE = 2;
    private static final int COST_SECONDS = 4;
    /** The kernel releases the monitor's tracepoint links for several seconds after it exits (README). */
    private static final long SETTLE_MILLIS = 10_000;
    private static final long MONITOR_SETTLE_MILLIS = 3_000;

    /** One side of one round for one case: the sums over its wrk runs. */
    record Side(long requests, double seconds, double nginxCpu, double wrkCpu, double monitorCpu, double events) {
        static final Side NONE = new Side(0, 0, 0, 0, 0, 0);

        Side plus(Side o) {
            return new Side(requests + o.requests, seconds + o.seconds, nginxCpu + o.nginxCpu, wrkCpu + o.wrkCpu,
                    monitorCpu + o.monitorCpu, events + o.events);
        }

        double requestsPerSecond() {
            return requests / seconds;
        }

        double perRequestMicros(double cpuSeconds) {
            return cpuSeconds * 1e6 / requests;
        }

        double nginxMicros() {
            return perRequestMicros(nginxCpu);
        }

        double wrkMicros() {
            return perRequestMicros(wrkCpu);
        }

        double monitorMicros() {
            return perRequestMicros(monitorCpu);
        }

        double allMicros() {
            return perRequestMicros(nginxCpu + wrkCpu + monitorCpu);
        }
    }

    /** Where nginx and wrk run: launchers ({@code taskset -c N}) or none. */
    record Pinning(List<String> nginx, List<String> wrk, String said) {
        static Pinning forThisMachine() {
            int cpus = Runtime.getRuntime().availableProcessors();
            if (cpus < 2) {
                return new Pinning(List.of(), List.of(), "not pinned (1 CPU)");
            }
            return new Pinning(List.of("taskset", "-c", "1"), List.of("taskset", "-c", "0"),
                    "nginx (master and worker) on CPU 1, wrk on CPU 0, the monitor unpinned");
        }
    }

    private final MonitorProcess.Launch launch;
    private final Path work;
    private final NginxServer nginx;
    private final Pinning pin;

    private WebBench(MonitorProcess.Launch launch, Path work, NginxServer nginx, Pinning pin) {
        this.launch = launch;
        this.work = work;
        this.nginx = nginx;
        this.pin = pin;
    }

    /** For sides with no monitor (WebFloorBench). */
    static WebBench unmonitored(NginxServer nginx, Pinning pin) {
        return new WebBench(null, null, nginx, pin);
    }

    static void run(MonitorProcess.Launch launch, int rounds, Path work) throws Exception {
        Pinning pin = Pinning.forThisMachine();
        try (NginxServer nginx = NginxServer.start(pin.nginx())) {
            System.out.printf("%n== web server: nginx %s, one worker (pid %d), wrk -t1 -c20 -d%ds, %d runs per case and side,"
                            + " %d rounds off/on (order alternating); %s; %s%n",
                    nginx.url(""), nginx.workerPid(), WRK_SECONDS, RUNS_PER_SIDE, rounds, pin.said(), Uptime.now());
            WebBench bench = new WebBench(launch, work, nginx, pin);
            Map<WebCase, List<Side[]>> pairs = bench.rounds(rounds);
            bench.table(pairs);
            bench.programCosts(pairs);
        }
    }

    /** Per case, each round's [off, on]. */
    private Map<WebCase, List<Side[]>> rounds(int rounds) throws Exception {
        Map<WebCase, List<Side[]>> pairs = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            Map<WebCase, Side[]> round = new LinkedHashMap<>();
            String load = Uptime.now();
            for (boolean monitored : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                Map<WebCase, Side> side = monitored ? monitoredSide() : side(null);
                side.forEach((c, s) -> round.computeIfAbsent(c, k -> new Side[2])[monitored ? 1 : 0] = s);
            }
            StringBuilder line = new StringBuilder(String.format("   round %d (%s):", r + 1, load));
            round.forEach((c, s) -> {
                pairs.computeIfAbsent(c, k -> new ArrayList<>()).add(s);
                line.append(String.format(Locale.ROOT, " %s %.0f/%.0f req/s, worker %.1f/%.1f µs;", c.name(),
                        s[0].requestsPerSecond(), s[1].requestsPerSecond(), s[0].nginxMicros(), s[1].nginxMicros()));
            });
            System.out.println(line);
        }
        return pairs;
    }

    private Map<WebCase, Side> monitoredSide() throws Exception {
        try (MonitorProcess m = MonitorProcess.start(launch, List.of(), work)) {
            return side(m);
        } finally {
            Thread.sleep(SETTLE_MILLIS);
        }
    }

    /**
     * One side: a 1 s warm-up run per case (page cache, the monitor's JIT), then RUNS_PER_SIDE runs
     * of each case in turn. A monitor gets {@link #MONITOR_SETTLE_MILLIS} more after its warm-up:
     * its start-up compiles would otherwise count as CPU per request.
     */
    Map<WebCase, Side> side(MonitorProcess monitor) throws Exception {
        for (WebCase c : CASES) {
            Wrk.run(nginx.url(c.page()), 1, c.closeEach(), pin.wrk());
        }
        if (monitor != null) {
            Thread.sleep(MONITOR_SETTLE_MILLIS);
        }
        Map<WebCase, Side> sums = new LinkedHashMap<>();
        for (int i = 0; i < RUNS_PER_SIDE; i++) {
            for (WebCase c : CASES) {
                sums.merge(c, measure(c, monitor, WRK_SECONDS), Side::plus);
            }
        }
        return sums;
    }

    /** One wrk run: its requests, and the CPU the worker, wrk and the monitor used meanwhile. */
    private Side measure(WebCase c, MonitorProcess monitor, int seconds) throws Exception {
        double events0 = monitor == null ? 0 : monitor.events();   // /metrics read outside the CPU window
        long worker = nginx.workerPid();
        long mon0 = monitor == null ? 0 : monitor.runNanos();
        double nginx0 = ProcCpu.runSeconds(worker);
        double wrk0 = ProcCpu.reapedChildrenSeconds();
        Wrk.Result r = Wrk.run(nginx.url(c.page()), seconds, c.closeEach(), pin.wrk());
        double wrk = ProcCpu.reapedChildrenSeconds() - wrk0;
        double nginxCpu = ProcCpu.runSeconds(worker) - nginx0;
        double mon = monitor == null ? 0 : (monitor.runNanos() - mon0) / 1e9;
        double events = monitor == null ? 0 : monitor.events() - events0;
        return new Side(r.requests(), r.seconds(), nginxCpu, wrk, mon, events);
    }

    private static void table(Map<WebCase, List<Side[]>> pairs) {
        System.out.println("""

                | case | figure | off (median) | on (median) | monitored vs not, median (CI) over rounds |
                |---|---|---|---|---|""");
        pairs.forEach((c, rounds) -> {
            row(c, "req/s", rounds, Side::requestsPerSecond, "%.0f", "throughput loss", (off, on) -> 100 * (1 - on / off));
            // A server bound by its CPU serves 1 / (CPU per request): the worker's CPU is its capacity.
            row(c, "nginx worker CPU per request", rounds, Side::nginxMicros, "%.2f µs", "capacity loss",
                    (off, on) -> 100 * (1 - off / on));
            row(c, "wrk CPU per request", rounds, Side::wrkMicros, "%.2f µs", "more", (off, on) -> 100 * (on / off - 1));
            row(c, "nginx + wrk + monitor CPU per request", rounds, Side::allMicros, "%.2f µs", "more",
                    (off, on) -> 100 * (on / off - 1));
            List<Double> monitor = rounds.stream().map(s -> s[1].monitorMicros()).toList();
            List<Double> events = rounds.stream().map(s -> s[1].events() / s[1].requests()).toList();
            List<Double> percent = rounds.stream().map(s -> 100 * s[1].monitorCpu() / s[1].seconds()).toList();
            System.out.printf(Locale.ROOT, "| %s | monitor CPU per request | – | %.2f µs | %.3f events per request (the host's"
                    + " others' included); the monitor used %.1f%% of a CPU |%n", c.name(),
                    Bench.median(monitor), Bench.median(events), Bench.median(percent));
        });
        System.out.println("(loss and more: per round, monitored against the round's unmonitored side; capacity loss ="
                + " 1 − off/on of the worker's CPU per request, the throughput a server bound by its CPU loses)");
    }

    @FunctionalInterface
    interface Change {
        double percent(double off, double on);
    }

    static void row(WebCase c, String figure, List<Side[]> rounds, ToDoubleFunction<Side> value, String fmt,
                            String what, Change change) {
        List<Double> off = rounds.stream().map(s -> value.applyAsDouble(s[0])).toList();
        List<Double> on = rounds.stream().map(s -> value.applyAsDouble(s[1])).toList();
        List<Double> changes = rounds.stream().map(s -> change.percent(value.applyAsDouble(s[0]), value.applyAsDouble(s[1]))).toList();
        System.out.printf(Locale.ROOT, "| %s | %s | " + fmt + " | " + fmt + " | %s %s |%n", c.name(), figure,
                Bench.median(off), Bench.median(on), what, MedianInterval.of(changes).percent());
    }

    /**
     * Where a request's time goes in the monitor's BPF programs: a warmed-up monitor, bpf_stats on
     * (its accounting costs every program run, so the rounds above ran without it) for one run per
     * case; each program's runs and ns per request, and their sum against the unmonitored worker's
     * CPU per request.
     */
    private void programCosts(Map<WebCase, List<Side[]>> pairs) throws Exception {
        System.out.printf("%n== the monitor's BPF programs per web request (bpf_stats, one %d s wrk run per case); %s%n",
                COST_SECONDS, Uptime.now());
        try (MonitorProcess m = MonitorProcess.start(launch, List.of(), work)) {
            for (WebCase c : CASES) {
                Wrk.run(nginx.url(c.page()), 1, c.closeEach(), pin.wrk());   // warm-up
            }
            for (WebCase c : CASES) {
                List<Map<Integer, MonitorPrograms.Prog>> snaps = new ArrayList<>();
                Wrk.Result[] result = new Wrk.Result[1];
                double events0 = m.events();
                MonitorPrograms.withStats(() -> {
                    snaps.add(MonitorPrograms.of(m.process().pid()));
                    result[0] = Wrk.run(nginx.url(c.page()), COST_SECONDS, c.closeEach(), pin.wrk());
                    snaps.add(MonitorPrograms.of(m.process().pid()));
                });
                // Read after the run (the /metrics request is not in it); late records of the run still count.
                Thread.sleep(200);
                double events = m.events() - events0;
                ProgramCosts costs = ProgramCosts.between(snaps.get(0), snaps.get(1));
                double requests = result[0].requests();
                String share = "";
                if (pairs.containsKey(c)) {   // --rounds 0 measured no unmonitored worker
                    double workerOff = Bench.median(pairs.get(c).stream().map(s -> s[0].nginxMicros()).toList());
                    share = String.format(Locale.ROOT, " (%.1f%% of the unmonitored worker's %.2f µs)",
                            costs.totalNs() / requests / 10 / workerOff, workerOff);
                }
                System.out.printf(Locale.ROOT, "%n%s: %.0f req/s with bpf_stats on; all programs %.0f ns per request%s;"
                                + " %.2f events delivered per request (the host's other processes included); %s%n", c.name(),
                        result[0].requestsPerSecond(), costs.totalNs() / requests, share, events / requests, Uptime.now());
                costs.print("request", requests, 5);
            }
        }
        System.out.println("(per request: every program's runs in that time, the host's other processes included)");
    }
}
