package io.eunomia.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** A program's run_time_ns and run_cnt, from /proc/self/fdinfo of its fd (counted while bpf_stats_enabled is on). */
record ProgStats(long ns, long runs) {
    static ProgStats of(int fd) throws java.io.IOException {
        long ns = 0;
        long runs = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            String[] f = line.split(":\\s*");
            if (f[0].equals("run_time_ns")) {
                ns = Long.parseLong(f[1].strip());
            } else if (f[0].equals("run_cnt")) {
                runs = Long.parseLong(f[1].strip());
            }
        }
        return new ProgStats(ns, runs);
    }

    double nsPerRunSince(ProgStats before) {
        return runs == before.runs ? Double.NaN : (double) (ns - before.ns) / (runs - before.runs);
    }

    long runsSince(ProgStats before) {
        return runs - before.runs;
    }
}
