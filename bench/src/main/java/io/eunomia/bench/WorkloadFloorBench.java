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
 * monitor's that no sensor design avoids; the rest is Eunomia's.
 */
final class WorkloadFloorBench {
    private WorkloadFloorBench() {}

    static void run(MonitorProcess.Launch launch, Path holder, Path object, WorkloadRuns runs, List<Workload> workloads,
                    int rounds, Path work) throws Exception {
        if (workloads.isEmpty()) {
            return;
        }
        System.out.printf(Locale.ROOT, "%n== the workloads' floor: sides none, %s, %s, monitor rotated per round, %d rounds;"
                        + " per side each workload again and again for %.1f s; %s%n", HookHold.TP_OTHER, HookHold.NOOP_PAIR,
                rounds, runs.seconds(), Uptime.now());
        long t0 = System.nanoTime();
        WorkloadBench.MonitoredSide monitor = new WorkloadBench.MonitoredSide(launch, work, runs, workloads);
        Map<String, PairedRounds.Side> sides = new LinkedHashMap<>();
        sides.put("none", () -> runs.side(workloads));
        for (String config : List.of(HookHold.TP_OTHER, HookHold.NOOP_PAIR)) {
            sides.put(config, () -> {
                try (HookHold held = HookHold.attach(holder, object, config)) {
                    return runs.side(workloads);
                }
            });
        }
        sides.put("monitor", monitor);
        PairedRounds.Pairs pairs = PairedRounds.run(sides, rounds);
        PairedRounds.table("none", pairs, WorkloadBench.TARGET);
        shares(pairs);
        monitor.print();
        System.out.printf(Locale.ROOT, "   the floor's rounds took %.1f min; %s%n", (System.nanoTime() - t0) / 60e9, Uptime.now());
    }

    /** Per workload and figure: how much of the monitor's excess over none the hook machinery alone takes. */
    private static void shares(PairedRounds.Pairs pairs) {
        System.out.println("""

                | workload | figure | tp-other | noop-pair | monitor | of the monitor's excess: the hooks' floor (noop-pair) / Eunomia's |
                |---|---|---|---|---|---|""");
        Map<Workload, List<Runs[]>> monitor = pairs.bySide().get("monitor");
        if (monitor == null) {
            return;   // no round kept: table() said so
        }
        monitor.forEach((w, rounds) -> {
            for (Figure f : Figure.values()) {
                double tp = PairedRounds.Row.of(pairs.bySide().get(HookHold.TP_OTHER).get(w), f, WorkloadBench.TARGET).ratio().median();
                double noop = PairedRounds.Row.of(pairs.bySide().get(HookHold.NOOP_PAIR).get(w), f, WorkloadBench.TARGET).ratio().median();
                double mon = PairedRounds.Row.of(rounds, f, WorkloadBench.TARGET).ratio().median();
                System.out.printf(Locale.ROOT, "| %s | %s | ×%.3f | ×%.3f | ×%.3f | %s |%n", w.name(), f.said, tp, noop, mon,
                        share(noop, mon));
            }
        });
        System.out.println("(medians of the per-round ratios to none; the shares split the monitor's median excess (×m − 1)"
                + " into noop-pair's (×n − 1) and the rest)");
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
