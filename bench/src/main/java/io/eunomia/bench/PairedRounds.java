package io.eunomia.bench;

import io.eunomia.bench.WorkloadRuns.Figure;
import io.eunomia.bench.WorkloadRuns.Runs;
import io.eunomia.bench.WorkloadRuns.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Workloads judged by paired rounds: each round runs every side (the first is the reference: no
 * monitor, no hooks), the order rotated round by round so that a drift of others' load falls on
 * each side in turn, and takes each side's ratio to the reference within the round. Per side,
 * workload and figure: the median ratio over rounds with its distribution-free confidence interval
 * ({@link MedianInterval}), min..max, and a {@link Verdict} against the limit.
 */
final class PairedRounds {
    /** One side of a round: each workload's runs. */
    @FunctionalInterface
    interface Side {
        Map<Workload, Runs> run() throws Exception;
    }

    /** Per side after the reference, per workload: each round's [reference, side]. */
    record Pairs(Map<String, Map<Workload, List<Runs[]>>> bySide) {}

    /** One row of the table: medians over rounds of each side's figure, the ratio's interval and verdict. */
    record Row(double reference, double side, MedianInterval ratio, double min, double max, Verdict verdict) {
        static Row of(List<Runs[]> rounds, Figure f, double limit) {
            List<Double> ratios = rounds.stream().map(p -> f.of(p[1]) / f.of(p[0])).toList();
            MedianInterval ci = MedianInterval.of(ratios);
            return new Row(Bench.median(rounds.stream().map(p -> f.of(p[0])).toList()),
                    Bench.median(rounds.stream().map(p -> f.of(p[1])).toList()), ci,
                    ratios.stream().mapToDouble(d -> d).min().orElseThrow(),
                    ratios.stream().mapToDouble(d -> d).max().orElseThrow(), Verdict.atMost(ci, limit));
        }
    }

    /**
     * --keep-unequal-rounds: keep rounds whose sides started with different counts of others' BPF links (marked
     * so in the round's line): on a machine where others' monitors never stop, no round would be kept otherwise.
     */
    static volatile boolean keepUnequal;

    private PairedRounds() {}

    /**
     * {@code rounds} rounds of every side, the order rotated by one each round (two sides: off on, on off, …);
     * prints each round's wall ratios as it ends (a run cut short on a loaded machine still tells something).
     */
    static Pairs run(Map<String, Side> sides, int rounds) throws Exception {
        List<String> names = List.copyOf(sides.keySet());
        String reference = names.getFirst();
        Map<String, Map<Workload, List<Runs[]>>> bySide = new LinkedHashMap<>();
        int leftOut = 0;
        for (int r = 0; r < rounds; r++) {
            String load = Uptime.now();
            long t0 = System.nanoTime();
            Map<String, Map<Workload, Runs>> round = new LinkedHashMap<>();
            StringBuilder links = new StringBuilder();
            Set<Long> counts = new HashSet<>();
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((k + r) % names.size());
                long n = bpfLinks();
                counts.add(n);
                links.append(k == 0 ? "" : ", ").append(name).append(' ').append(n < 0 ? "?" : Long.toString(n));
                round.put(name, sides.get(name).run());
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "   round %d (%.0f s, %s; BPF links on the host"
                    + " before each side: %s):", r + 1, (System.nanoTime() - t0) / 1e9, load, links));
            if (!comparable(counts)) {
                // others' monitors came or went between the sides: their hooks fall on one side only
                if (!keepUnequal) {
                    line.append(" LEFT OUT: the sides started with different (or unknown) counts of others' BPF links");
                    leftOut++;
                    System.out.println(line);
                    continue;
                }
                line.append(" KEPT though the sides started with different counts of others' BPF links:");
            }
            for (String name : names.subList(1, names.size())) {
                round.get(reference).forEach((w, ref) -> {
                    Runs side = round.get(name).get(w);
                    bySide.computeIfAbsent(name, s -> new LinkedHashMap<>()).computeIfAbsent(w, x -> new ArrayList<>())
                            .add(new Runs[] {ref, side});
                    line.append(String.format(Locale.ROOT, " %s %s ×%.3f wall, ×%.3f CPU (%d/%d runs);", name, w.key(),
                            side.wallMedian() / ref.wallMedian(), side.cpuMedian() / ref.cpuMedian(), ref.wall().size(),
                            side.wall().size()));
                });
            }
            System.out.println(line);
        }
        if (leftOut > 0) {
            System.out.printf(Locale.ROOT, "   %d of %d rounds left out: their sides started with different counts of BPF links%n",
                    leftOut, rounds);
        }
        return new Pairs(bySide);
    }

    /** A round's sides are comparable when each started with the same, known, count of BPF links on the host. */
    static boolean comparable(Set<Long> linkCounts) {
        return linkCounts.size() == 1 && linkCounts.iterator().next() >= 0;
    }

    /**
     * BPF links attached on the host (bpftool link show), before a side: others' monitors on a shared
     * machine hook every task, so a side "without hooks" has them when this is not 0; -1 when unknown.
     */
    static long bpfLinks() {
        try {
            Process p = new ProcessBuilder("bpftool", "link", "show").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long n;
            try (var out = p.inputReader(StandardCharsets.UTF_8)) {
                n = out.lines().filter(l -> !l.isEmpty() && Character.isDigit(l.charAt(0))).count();
            }
            return p.waitFor() == 0 ? n : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * Waits until the host's BPF link count is at most {@code before} (a monitor's links are released by a
     * kernel worker seconds after it exits), at most {@code maxMillis}; returns how long it waited.
     * With the count unknown (no bpftool) it waits the whole {@code maxMillis}.
     */
    static long awaitLinksBackTo(long before, long maxMillis) throws InterruptedException {
        long t0 = System.nanoTime();
        if (before < 0) {
            Thread.sleep(maxMillis);
        }
        while (before >= 0 && (System.nanoTime() - t0) / 1_000_000 < maxMillis) {
            long n = bpfLinks();
            if (n >= 0 && n <= before) {
                break;
            }
            Thread.sleep(250);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The table: per side, workload and figure, the reference's and the side's medians and the ratio's interval. */
    static void table(String reference, Pairs pairs, double limit) {
        System.out.printf(Locale.ROOT, """

                | side | workload | figure | %s (median) | side (median) | side/%s: median (CI) over rounds | min..max | ≤ ×%.2f? |
                |---|---|---|---|---|---|---|---|%n""", reference, reference, limit);
        if (pairs.bySide().isEmpty()) {
            System.out.println("(no round kept: every round's sides started with different counts of BPF links)");
            return;
        }
        pairs.bySide().forEach((side, workloads) -> workloads.forEach((w, rounds) -> {
            for (Figure f : Figure.values()) {
                Row row = Row.of(rounds, f, limit);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f ms | %.2f ms | %s | ×%.3f..×%.3f | %s |%n", side, w.name(),
                        f.said, row.reference() * 1e3, row.side() * 1e3, row.ratio().ratio(), row.min(), row.max(),
                        row.verdict().against(limit, row.ratio()));
            }
        }));
        System.out.println("(per round and side: each figure is the median of that side's runs; the ratio is taken within"
                + " the round; CI: the median ratio's distribution-free interval over rounds; met: its upper bound ≤ the limit,"
                + " not met: its lower bound > the limit, biased: its upper bound < 1 (the monitor cannot speed a workload up),"
                + " else undecided; rounds whose sides started with different counts of BPF links are left out)");
    }
}
