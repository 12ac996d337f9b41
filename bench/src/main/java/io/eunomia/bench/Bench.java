package io.eunomia.bench;

import io.eunomia.bpf.Compat32;
import io.eunomia.bpf.Compat32Watch;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.SensorUnavailableException;
import io.eunomia.engine.Logging;
import io.eunomia.engine.pipeline.Monitor;
import io.eunomia.libbpf.BpfException;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The benchmark harness (run by bench/run.sh as root; not a test):
 * <ol>
 *   <li>overhead of loaded sensors on syscall loops (open+close, getppid), on the host and inside
 *       a private mount namespace as a container runs, as ns/op and the ratio to no sensors;</li>
 *   <li>ring-buffer throughput: decoded records/s with zero loss, and the offered rate where
 *       loss begins ({@link RingThroughput}).</li>
 * </ol>
 * Every round runs all configurations back to back and ratios are taken within the round, so
 * drift from other load on the machine cancels; the table shows medians over rounds.
 */
public final class Bench {
    record Workload(String name, String mode, boolean namespaced) {}

    private Bench() {}

    public static void main(String[] args) throws Exception {
        Logging.configure(); // one line per message, no Drools chatter
        Path loop = null;
        boolean quick = false;
        String part = "all";
        int ringBytes = SensorOptions.DEFAULT_RING_BUFFER_BYTES;
        int soakSeconds = -1;
        int soakRate = 15_000;
        int rounds = -1;
        int idleSeconds = 0;
        int reps = 3;
        Path monitorJar = null;
        List<String> workloadNames = List.of();   // --workloads: empty = every workload and the web part
        List<String> jvmFlags = List.of("--enable-native-access=ALL-UNNAMED");
        java.util.Map<String, String> monitorEnv = new java.util.LinkedHashMap<>();
        List<String> monitorArgs = new ArrayList<>();   // --monitor-args: more options of eunomia monitor, every monitor
        java.util.Map<String, String> monitorSides = new java.util.LinkedHashMap<>();   // --monitor-side NAME[@JAR]=OPTIONS
        List<String> floorHooks = List.of(HookHold.TP_OTHER, HookHold.NOOP_PAIR);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--loop" -> loop = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "--part" -> part = args[++i];
                case "--ring-mb" -> ringBytes = Integer.parseInt(args[++i]) << 20;
                case "--soak-seconds" -> soakSeconds = Integer.parseInt(args[++i]);
                case "--soak-rate" -> soakRate = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--jvm-flags" -> jvmFlags = List.of(args[++i].strip().split("\\s+"));
                case "--idle-seconds" -> idleSeconds = Integer.parseInt(args[++i]);
                case "--monitor-jar" -> monitorJar = Path.of(args[++i]);
                case "--monitor-env" -> {   // NAME=VALUE for the monitor's environment alone (not the workloads')
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--monitor-env wants NAME=VALUE, not '" + kv + "'");
                    }
                    monitorEnv.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--monitor-args" -> monitorArgs.addAll(words(args[++i]));
                case "--monitor-side" -> {   // another monitored side in workloads-floor: NAME[@JAR]=OPTIONS
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--monitor-side wants NAME[@JAR]=OPTIONS, not '" + kv + "'");
                    }
                    monitorSides.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--floor-hooks" -> {   // the hook sides of workloads-floor ("" for none)
                    floorHooks = words(args[++i].replace(',', ' '));
                    for (String h : floorHooks) {
                        if (!List.of(HookHold.TP_OTHER, HookHold.NOOP_PAIR, HookHold.TP_NOOP).contains(h)) {
                            throw new IllegalArgumentException("--floor-hooks: '" + h + "' is none of " + HookHold.TP_OTHER
                                    + ", " + HookHold.NOOP_PAIR + ", " + HookHold.TP_NOOP);
                        }
                    }
                }
                case "--keep-unequal-rounds" -> PairedRounds.keepUnequal = true;
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--workloads" -> workloadNames = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: Bench --loop PATH [--quick] [--part overhead|syscallpath|ring|attribution|enrichment|paths|churn|alerting|pipeline|enforce|learning|learning-scale|workloads|workloads-floor|web|web-floor|progcost|all]"
                        + " [--ring-mb N] [--rounds N] [--soak-seconds N] [--soak-rate EVENTS_PER_S] [--idle-seconds N] [--reps N]"
                        + " [--jvm-flags 'FLAGS'] [--monitor-jar JAR] [--monitor-env NAME=VALUE]..."
                        + " [--monitor-args 'OPTIONS'] [--monitor-side NAME[@JAR]=OPTIONS]... [--floor-hooks tp-other,noop-pair]"
                        + " [--keep-unequal-rounds] [--workloads tar,git,true,gcc,web]");
            }
        }
        if (loop == null || !Files.isExecutable(loop)) {
            throw new IllegalArgumentException("--loop must name the compiled syscall_loop (bench/run.sh builds it)");
        }
        System.out.printf("eunomia bench%s, %d CPUs, kernel %s%n", quick ? " (quick)" : "",
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        if (part.equals("all") || part.equals("overhead")) {
            overhead(loop, quick);
        }
        if (part.equals("syscallpath")) {   // where a syscall pays, per hook path and per sensor; not in "all"
            SyscallPathBench.run(loop, quick, rounds);
        }
        if (part.equals("all") || part.equals("ring")) {
            RingThroughput.run(loop, quick, ringBytes);
        }
        if (part.equals("all") || part.equals("attribution")) {
            AttributionBench.run(quick);
        }
        if (part.equals("all") || part.equals("enrichment")) {
            EnrichmentBench.run(quick);
        }
        if (part.equals("all") || part.equals("paths")) {
            PathResolutionBench.run(quick);
        }
        if (part.equals("all") || part.equals("churn")) {
            ContainerChurnBench.run(quick);
        }
        if (part.equals("all") || part.equals("alerting")) {
            AlertLatencyBench.run(quick);
        }
        if (part.equals("all") || part.equals("pipeline")) {
            PipelineBench.run(loop, quick);
        }
        if (part.equals("all") || part.equals("enforce")) {
            EnforceBench.run(loop, quick);
        }
        if (part.equals("all") || part.equals("learning")) {
            LearningBench.run(loop, quick);
        }
        if (part.equals("learning-scale")) {   // not in "all": 200 containers, minutes
            LearningScaleBench.run(quick);
        }
        // The monitors the parts start run with the same ring as --ring-mb gives the ring part (its own option).
        List<String> monitorOptions = new ArrayList<>(List.of("--ring-mib", Integer.toString(ringBytes >> 20)));
        monitorOptions.addAll(monitorArgs);
        MonitorProcess.Launch launch = new MonitorProcess.Launch(jvmFlags, Optional.ofNullable(monitorJar), monitorOptions, monitorEnv);
        java.util.Map<String, MonitorProcess.Launch> otherMonitors = new java.util.LinkedHashMap<>();
        for (var side : monitorSides.entrySet()) {
            String[] nameJar = side.getKey().split("@", 2);
            List<String> options = new ArrayList<>(monitorOptions);
            options.addAll(words(side.getValue()));
            otherMonitors.put(nameJar[0], new MonitorProcess.Launch(jvmFlags,
                    nameJar.length > 1 ? Optional.of(Path.of(nameJar[1])) : launch.jar(), options, monitorEnv));
        }
        int webRounds = quick ? 6 : 12;   // paired web rounds: 12 give a median interval of 96% between the 3rd and 10th
        // Paired workload rounds: 10 give a median interval of 98% between the 2nd and 9th, 6 one of 97% (min..max).
        int workloadRounds = quick ? 6 : 10;
        double workloadSeconds = quick ? 1.0 : 2.5;   // per workload, side and round: tens to hundreds of runs
        Path runTimes = loop.toAbsolutePath().getParent().resolve("run_times");
        if (part.equals("all") || part.equals("workloads")) {
            WorkloadBench.run(loop, new WorkloadBench.Settings(launch, rounds >= 0 ? rounds : workloadRounds,
                    soakSeconds >= 0 ? soakSeconds : quick ? 30 : 600, soakRate,
                    rounds == 0 || !(workloadNames.isEmpty() || workloadNames.contains(WorkloadRuns.WEB_KEY)) ? 0 : webRounds, idleSeconds,
                    workloadNames, runTimes, workloadSeconds));
        }
        if (part.equals("web")) {   // the web-server part of "workloads" alone, no soak; --rounds 0: the BPF cost step only
            try (WorkDir work = WorkDir.create("eunomia-web-")) {
                WebBench.run(launch, rounds >= 0 ? rounds : webRounds,
                        work.path());
            }
        }
        if (part.equals("web-floor")) {   // the hook machinery alone under nginx (not in "all")
            Path dir = loop.toAbsolutePath().getParent();
            WebFloorBench.run(dir.resolve("hook_hold"), dir.resolve("classes/io/eunomia/bpf/syscallpath.bpf.o"),
                    rounds > 0 ? rounds : webRounds);
        }
        if (part.equals("workloads-floor")) {   // the hook machinery alone under the workloads (not in "all")
            Path dir = loop.toAbsolutePath().getParent();
            try (WorkDir work = WorkDir.create("eunomia-workloads-floor-")) {
                WorkloadFloorBench.run(launch, dir.resolve("hook_hold"), dir.resolve("classes/io/eunomia/bpf/syscallpath.bpf.o"),
                        new WorkloadRuns(runTimes, workloadSeconds), WorkloadRuns.chosen(work.path(), workloadNames),
                        rounds > 0 ? rounds : workloadRounds, work.path(), floorHooks, otherMonitors);
            }
        }
        if (part.equals("progcost")) {   // per-program BPF time per workload (what bench/progcost.sh ran); not in "all"
            try (WorkDir work = WorkDir.create("eunomia-progcost-")) {
                ProgCostBench.run(launch, loop, reps, work.path());
            }
        }
    }

    /** The words of an option's value ("" or blanks: none). */
    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
    }

    static void overhead(Path loop, boolean quick) throws Exception {
        // Many short rounds rather than a few long ones: on a shared machine the median of
        // within-round ratios is what stays stable.
        int rounds = quick ? 5 : 15;
        long openCloseIters = quick ? 50_000 : 150_000;
        long getppidIters = quick ? 300_000 : 1_000_000;
        List<Workload> workloads = List.of(
                new Workload("open+close", "openclose", false),
                new Workload("getppid", "getppid", false),
                new Workload("open+close in mntns", "openclose", true),
                new Workload("getppid in mntns", "getppid", true));

        Set<Sensor> all = available();
        RuleBase pack = RuleCompiler.compile(DefaultPack.sources());
        Optional<List<String>> packReads = pack.fileReads().filter();
        Map<String, SensorOptions> configs = overheadConfigs(all, pack);

        // ns/op and ratio per config and workload, one entry per round
        Map<String, Map<Workload, List<Double>>> nanos = new LinkedHashMap<>();
        Map<String, Map<Workload, List<Double>>> ratios = new LinkedHashMap<>();
        for (String c : configs.keySet()) {
            nanos.put(c, new LinkedHashMap<>());
            ratios.put(c, new LinkedHashMap<>());
        }
        System.out.printf("%n== Overhead on syscall loops: %d rounds, open+close x%d, getppid x%d; 'all' = %s; "
                + "'all+reads' = all with the default pack's read filter (reads reported only below %s)%n",
                rounds, openCloseIters, getppidIters, all, packReads.map(Object::toString).orElse("(off: unbounded)"));
        System.out.println("   'all': " + Compat32Watch.decide(SensorOptions.of(all).compat32()));
        for (int round = 0; round < rounds; round++) {
            Map<Workload, Double> base = new LinkedHashMap<>();
            for (Map.Entry<String, SensorOptions> c : configs.entrySet()) {
                KernelSensors sensors = c.getValue() == null ? null : KernelSensors.start(c.getValue());
                try {
                    for (Workload w : workloads) {
                        double ns = runLoop(loop, w, w.mode().equals("openclose") ? openCloseIters : getppidIters);
                        if (c.getValue() == null) {
                            base.put(w, ns);
                        }
                        nanos.get(c.getKey()).computeIfAbsent(w, k -> new ArrayList<>()).add(ns);
                        ratios.get(c.getKey()).computeIfAbsent(w, k -> new ArrayList<>()).add(ns / base.get(w));
                    }
                } finally {
                    if (sensors != null) {
                        sensors.close();
                    }
                }
            }
            System.out.printf("  round %d/%d done%n", round + 1, rounds);
        }
        System.out.printf("%n%-10s %-22s %12s %9s %17s%n", "sensors", "loop", "ns/op (med)", "ratio", "ratio min..max");
        for (String c : configs.keySet()) {
            for (Workload w : workloads) {
                List<Double> r = ratios.get(c).get(w);
                System.out.printf(Locale.ROOT, "%-10s %-22s %12.1f %8.3fx %8.3f..%.3f%n", c, w.name(),
                        median(nanos.get(c).get(w)), median(r), r.stream().mapToDouble(d -> d).min().orElse(0),
                        r.stream().mapToDouble(d -> d).max().orElse(0));
            }
        }
        compatPathCost(loop, all, getppidIters);
    }

    /**
     * What the BPF programs cost a native syscall, with and without the 32-bit call dispatcher: with
     * kernel.bpf_stats_enabled on (its accounting adds to every run, so the ratios above are taken
     * with it off, and it is set back right after), the 'all' sensors run the getppid loop once as
     * the monitor attaches them here (auto) and once with the dispatcher forced on; each program's
     * run_time_ns / run_cnt is read, and their sum per loop iteration. The dispatcher's pair runs on
     * every syscall; the sensors' compat programs run only for 32-bit calls (0 runs here).
     */
    static void compatPathCost(Path loop, Set<Sensor> all, long getppidIters) throws Exception {
        Path statsSwitch = Path.of("/proc/sys/kernel/bpf_stats_enabled");
        String statsBefore = Files.readString(statsSwitch).strip();
        System.out.printf("%n== BPF run time per syscall, bpf_stats over getppid x%d ('all' sensors)%n", getppidIters);
        for (SensorOptions options : List.of(SensorOptions.of(all), SensorOptions.of(all).withCompat32(Compat32.ON))) {
            try (KernelSensors sensors = KernelSensors.start(options)) {
                Map<String, Integer> fds = new LinkedHashMap<>();
                for (Sensor s : sensors.sensors()) {
                    sensors.object(s).programs().forEach((name, prog) -> {
                        if (prog.autoload()) {
                            fds.put(s.objectName() + ":" + name, prog.fd());
                        }
                    });
                }
                fds.putAll(sensors.compatProgramFds());
                fds.putAll(sensors.uringProgramFds()); // the ring handlers' time counts in the dispatcher's
                Map<String, ProgStats> before = new LinkedHashMap<>();
                try {
                    Files.writeString(statsSwitch, "1");
                    for (var e : fds.entrySet()) {
                        before.put(e.getKey(), ProgStats.of(e.getValue()));
                    }
                    runLoop(loop, new Workload("getppid", "getppid", false), getppidIters);
                } finally {
                    Files.writeString(statsSwitch, statsBefore);
                }
                System.out.printf("%n-- %s; %s%n", sensors.compat32(), Uptime.now());
                System.out.printf("%-36s %12s %10s %12s%n", "program (runs > 0)", "runs", "ns/run", "ns/getppid");
                double total = 0;
                for (var e : fds.entrySet()) {
                    ProgStats now = ProgStats.of(e.getValue());
                    ProgStats was = before.get(e.getKey());
                    double perCall = (double) (now.ns() - was.ns()) / getppidIters;
                    total += perCall;
                    if (now.runsSince(was) > 0) {
                        System.out.printf(Locale.ROOT, "%-36s %12d %10.1f %12.1f%n", e.getKey(), now.runsSince(was),
                                now.nsPerRunSince(was), perCall);
                    }
                }
                System.out.printf(Locale.ROOT, "%-36s %12s %10s %12.1f%n", "all programs", "", "", total);
            }
        }
    }

    /**
     * Every sensor that loads on this host; those that do not are named and left out, as are those
     * loaded only on request (profile enforcement: measured by {@link EnforceBench}).
     */
    /** The overhead part's configurations (null: no sensor), for the sensors available here and the default pack. */
    static Map<String, SensorOptions> overheadConfigs(Set<Sensor> all, RuleBase pack) {
        Map<String, SensorOptions> configs = new LinkedHashMap<>();
        configs.put("none", null);
        configs.put("syscount", SensorOptions.of(EnumSet.of(Sensor.SYSCOUNT)));
        configs.put("process", SensorOptions.of(EnumSet.of(Sensor.PROCESS)));
        // "all" is what the monitor attaches here (-Deunomia.compat32, auto: the 32-bit call dispatcher
        // only where the kernel runs 32-bit code); "all+32" forces the dispatcher on, so the two rows
        // show what it costs, or saves, on this kernel.
        configs.put("all", SensorOptions.of(all));
        configs.put("all+32", SensorOptions.of(all).withCompat32(Compat32.ON));
        // The read filter as monitor sets it for the default pack: the loop's read-only opens of
        // /dev/null stay in the kernel, as most opens of a real workload would.
        configs.put("all+reads", SensorOptions.of(all).withReadPrefixes(pack.fileReads().filter()));
        // "all" has syscount, whose program runs on every syscall: only learning loads it. "monitor" is
        // what eunomia monitor loads for the default pack (its sensors and every kernel filter it sets).
        configs.put("monitor", Monitor.sensorOptions(pack));
        return configs;
    }

    static Set<Sensor> available() {
        EnumSet<Sensor> ok = EnumSet.noneOf(Sensor.class);
        for (Sensor s : Sensor.values()) {
            if (s.onRequestOnly()) {
                continue;
            }
            try (KernelSensors ks = KernelSensors.start(SensorOptions.of(EnumSet.of(s)))) {
                ok.add(s);
            } catch (SensorUnavailableException | BpfException e) {
                System.out.println("  sensor " + s + " unavailable here, left out of 'all': " + e.getMessage());
            }
        }
        return ok;
    }

    /** Runs the loop (in its own mount namespace when asked) and returns its ns per iteration. */
    static double runLoop(Path loop, Workload w, long iterations, String... extra) throws IOException, InterruptedException {
        return loopFigures(loop, w, iterations, extra)[0];
    }

    /** Runs the loop; returns what it printed: wall ns per iteration, iterations, CPU ns per iteration. */
    static double[] loopFigures(Path loop, Workload w, long iterations, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (w.namespaced()) {
            cmd.addAll(List.of("unshare", "-m", "--propagation", "private"));
        }
        cmd.addAll(List.of(loop.toString(), w.mode(), Long.toString(iterations)));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
        }
        return figures(out);
    }

    /** syscall_loop's output line as numbers. */
    static double[] figures(String line) {
        String[] f = line.strip().split("\\s+");
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Double.parseDouble(f[i]);
        }
        return out;
    }

    static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
