package io.eunomia.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the monitor's BPF programs ran between two snapshots of {@link MonitorPrograms} (bpf_stats
 * on in between), per unit of work (a request, a repetition): runs and ns per run of each program,
 * most expensive first. Every run in that time counts, the host's other processes' too.
 */
record ProgramCosts(List<Cost> costs) {
    /** One program: its runs and its run time in ns over the stretch. */
    record Cost(String name, long runs, long ns) {
        double nsPerRun() {
            return (double) ns / runs;
        }
    }

    static ProgramCosts between(Map<Integer, MonitorPrograms.Prog> before, Map<Integer, MonitorPrograms.Prog> after) {
        List<Cost> costs = new ArrayList<>();
        for (MonitorPrograms.Prog a : after.values()) {
            MonitorPrograms.Prog b = before.get(a.id());
            if (b != null && a.runs() > b.runs()) {
                costs.add(new Cost(a.name(), a.runs() - b.runs(), a.ns() - b.ns()));
            }
        }
        costs.sort(Comparator.comparingLong(Cost::ns).reversed());
        return new ProgramCosts(List.copyOf(costs));
    }

    long totalNs() {
        return costs.stream().mapToLong(Cost::ns).sum();
    }

    /**
     * A table per unit ("request", "rep"): programs costing at least minNsPerUnit each, then all
     * programs together.
     */
    void print(String unit, double units, double minNsPerUnit) {
        System.out.printf("| program | runs per %s | ns per run | ns per %s |%n|---|---|---|---|%n", unit, unit);
        for (Cost c : costs) {
            if (c.ns() / units >= minNsPerUnit) {
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f | %.0f |%n", c.name(), c.runs() / units, c.nsPerRun(), c.ns() / units);
            }
        }
        System.out.printf(Locale.ROOT, "| all programs | | | %.0f |%n", totalNs() / units);
    }
}
