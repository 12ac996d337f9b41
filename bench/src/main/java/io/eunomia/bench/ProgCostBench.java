package io.eunomia.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What each of the monitor's BPF programs costs per workload (bench/run.sh --part progcost; what
 * bench/progcost.sh did alone): the real monitor (default pack, the launcher's flags), bpf_stats on
 * for the measured stretch only, and per program the runs and ns per run a workload's repetitions
 * caused (the monitor's own programs, from its fdinfo; others' activity in the same window counts
 * too: read ns per run, and only for programs the workload dominates).
 */
final class ProgCostBench {
    /** A workload: a shell command line of our own (no user input). */
    private record Workload(String name, String command) {}

    private ProgCostBench() {}

    static void run(MonitorProcess.Launch launch, Path loop, int reps, Path work) throws Exception {
        List<Workload> workloads = List.of(
                new Workload("300 x /bin/true", "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done"),
                new Workload("tar cf /dev/null -C /usr/lib python3", "tar cf /dev/null -C /usr/lib python3"),
                new Workload("syscall_loop openclose 200000", "\"$0\" openclose 200000 >/dev/null"),
                new Workload("syscall_loop openlib 200000", "\"$0\" openlib 200000 >/dev/null"));
        System.out.printf("%n== the monitor's BPF programs per workload (bpf_stats on for each measured stretch, %d reps); %s%n",
                reps, Uptime.now());
        try (MonitorProcess m = MonitorProcess.start(launch, List.of(), work)) {
            for (Workload w : workloads) {
                sh(w, loop);   // warm-up: page cache, the monitor's JIT
                Thread.sleep(1000);
                List<Map<Integer, MonitorPrograms.Prog>> snaps = new ArrayList<>();
                MonitorPrograms.withStats(() -> {
                    snaps.add(MonitorPrograms.of(m.process().pid()));
                    for (int i = 0; i < reps; i++) {
                        sh(w, loop);
                    }
                    snaps.add(MonitorPrograms.of(m.process().pid()));
                });
                ProgramCosts costs = ProgramCosts.between(snaps.get(0), snaps.get(1));
                System.out.printf(Locale.ROOT, "%n%s x%d: all programs %.1f µs per rep; %s%n", w.name(), reps,
                        costs.totalNs() / 1e3 / reps, Uptime.now());
                costs.print("rep", reps, 100);
            }
        }
    }

    private static void sh(Workload w, Path loop) throws Exception {
        int rc = new ProcessBuilder("sh", "-c", w.command(), loop.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start().waitFor();
        if (rc != 0) {
            throw new java.io.IOException(w.name() + " exited with " + rc);
        }
    }
}
