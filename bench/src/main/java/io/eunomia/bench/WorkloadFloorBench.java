package io.eunomia.bench;

import io.eunomia.bench.WorkloadRuns.Figure;
import io.eunomia.bench.WorkloadRuns.Runs;
import io.eunomia.bench.WorkloadRuns.Workload;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The floor under issue 15's workload target ({@code --part workloads-floor}), as {@link WebFloorBench}
 * is for the web server: the workloads' paired runs ({@link WorkloadRuns}, {@link PairedRounds}) with
 * four sides rotated per round: nothing attached; {@code tp-other} (syscall tracepoints on, no program
 * run for the workloads' calls: every syscall takes the kernel's slow path, as under any monitor that
 * hooks syscalls); {@code noop-pair} (tp_btf sys_enter and sys_exit returning at once: the floor of the
 * monitor's dispatcher pair); and the real monitor. On this kernel (no kprobes, no fentry:
 * environment.md) a syscall sensor cannot go under noop-pair, so its ratio is the part of the
 * monitor's that no sensor design avoids; the rest is Eunomia's. More monitored sides ({@code --monitor-side
 * NAME[@JAR]=OPTIONS}: the monitor with other options, e.g. {@code --compat32=off}, or another build's jar)
 * run in the same rotation and are also compared with the monitor itself, round by round.
 */
final class WorkloadFloorBench {
    private WorkloadFloorBench() {}

    /**
     * hooks: the hook sides to run (of {@link HookHold#TP_OTHER}, {@link HookHold#NOOP_PAIR}; empty: none of them);
     * others: more monitored sides by name, in order.
     */
    static void run(MonitorProcess.Launch launch, Path holder, Path object, WorkloadRuns runs, List<Workload> workloads,
                    int rounds, Path work, List<String> hooks, Map<String, MonitorProcess.Launch> others) throws Exception {
        if (workloads.isEmpty()) {
            return;
        }
        List<String> names = new java.util.ArrayList<>(List.of("none"));
        names.addAll(hooks);
        names.add("monitor");
        names.addAll(others.keySet());
        System.out.printf(Locale.ROOT, "%n== the workloads' floor: sides %s rotated per round, %d rounds;"
                        + " per side each workload again and again for %.1f s; %s%n", String.join(", ", names),
                rounds, runs.seconds(), Uptime.now());
        others.forEach((name, l) -> System.out.printf(Locale.ROOT, "   side %s: %s, monitor options %s%n", name,
                l.jar().map(Path::toString).orElse("the bench's class path"), String.join(" ", l.monitorOptions())));
        long t0 = System.nanoTime();
        WorkloadBench.MonitoredSide monitor = new WorkloadBench.MonitoredSide(launch, work, runs, workloads);
        Map<String, PairedRounds.Side> sides = new LinkedHashMap<>();
        sides.put("none", () -> runs.side(workloads));
        for (String config : hooks) {
            sides.put(config, () -> {
                try (HookHold held = HookHold.attach(holder, object, config)) {
                    return runs.side(workloads);
                }
            });
        }
        sides.put("monitor", monitor);
        others.forEach((name, l) -> sides.put(name, new WorkloadBench.MonitoredSide(l, work, runs, workloads)));
        PairedRounds.Pairs pairs = PairedRounds.run(sides, rounds);
        PairedRounds.table("none", pairs, WorkloadBench.TARGET);
        if (hooks.contains(HookHold.NOOP_PAIR) || hooks.contains(HookHold.TP_NOOP)) {
            shares(pairs, hooks);
        }
        againstMonitor(pairs, others.keySet());
        monitor.print();
        System.out.printf(Locale.ROOT, "   the floor's rounds took %.1f min; %s%n", (System.nanoTime() - t0) / 60e9, Uptime.now());
    }

    /**
     * Per workload and figure: how much of the monitor's excess over none the hook machinery alone takes: tp+noop's
     * (the syscall tracepoints' probe and an empty pair, what a monitor watching 32-bit calls hooks) when it ran,
     * else noop-pair's (overlapping: both pay the syscall slow path once).
     */
    private static void shares(PairedRounds.Pairs pairs, List<String> hooks) {
        String floor = hooks.contains(HookHold.TP_NOOP) ? HookHold.TP_NOOP : HookHold.NOOP_PAIR;
        System.out.printf(Locale.ROOT, """

                | workload | figure | %s | monitor | of the monitor's excess: the hooks' floor (%s) / Eunomia's |
                |---|---|%s---|---|%n""", String.join(" | ", hooks), floor, "---|".repeat(hooks.size()));
        Map<Workload, List<Runs[]>> monitor = pairs.bySide().get("monitor");
        if (monitor == null) {
            return;   // no round kept: table() said so
        }
        monitor.forEach((w, rounds) -> {
            for (Figure f : Figure.values()) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s |", w.name(), f.said));
                for (String h : hooks) {
                    row.append(String.format(Locale.ROOT, " ×%.3f |", median(pairs, h, w, f)));
                }
                double mon = PairedRounds.Row.of(rounds, f, WorkloadBench.TARGET).ratio().median();
                System.out.printf(Locale.ROOT, "%s ×%.3f | %s |%n", row, mon, share(median(pairs, floor, w, f), mon));
            }
        });
        System.out.printf(Locale.ROOT, "(medians of the per-round ratios to none; the shares split the monitor's median excess (×m − 1)"
                + " into %s's (×n − 1) and the rest)%n", floor);
    }

    private static double median(PairedRounds.Pairs pairs, String side, Workload w, Figure f) {
        return PairedRounds.Row.of(pairs.bySide().get(side).get(w), f, WorkloadBench.TARGET).ratio().median();
    }

    /**
     * Each other monitored side against the monitor itself, round by round (both ran in the same round, each
     * against the same none): the ratio of the two sides' figures, its median and interval over the kept rounds.
     */
    private static void againstMonitor(PairedRounds.Pairs pairs, java.util.Set<String> others) {
        Map<Workload, List<Runs[]>> monitor = pairs.bySide().get("monitor");
        if (others.isEmpty() || monitor == null) {
            return;
        }
        System.out.println("""

                | side | workload | figure | monitor (median) | side (median) | side/monitor: median (CI) over rounds | min..max |
                |---|---|---|---|---|---|---|""");
        for (String name : others) {
            pairs.bySide().get(name).forEach((w, rounds) -> {
                List<Runs[]> mon = monitor.get(w);
                List<Runs[]> paired = new java.util.ArrayList<>();
                for (int i = 0; i < rounds.size(); i++) {
                    paired.add(new Runs[] {mon.get(i)[1], rounds.get(i)[1]});   // the same round's monitor and side
                }
                for (Figure f : Figure.values()) {
                    PairedRounds.Row row = PairedRounds.Row.of(paired, f, WorkloadBench.TARGET);
                    System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f ms | %.2f ms | %s | ×%.3f..×%.3f |%n", name, w.name(),
                            f.said, row.reference() * 1e3, row.side() * 1e3, row.ratio().ratio(), row.min(), row.max());
                }
            });
        }
        System.out.println("(per kept round: the side's figure over the monitor's in the same round)");
    }

    /** e.g. "+4.1% of +15.0%: 27% floor / 73% Eunomia's"; no split when the monitor costs nothing measurable. */
    static String share(double floor, double monitor) {
        double excess = monitor - 1;
        if (excess <= 0) {
            return String.format(Locale.ROOT, "the monitor's median is ×%.3f: no excess to split", monitor);
        }
        double part = Math.max(0, Math.min(1, (floor - 1) / excess));
        return String.format(Locale.ROOT, "%+.1f%% of %+.1f%%: %.0f%% floor / %.0f%% Eunomia's", 100 * (floor - 1), 100 * excess,
                100 * part, 100 * (1 - part));
    }
}
