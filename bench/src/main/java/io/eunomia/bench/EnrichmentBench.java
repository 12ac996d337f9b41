package io.eunomia.bench;

import io.eunomia.bpf.process.ProcessEnrichment;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the process-table stage (ProcessEnrichment) as the sensor poller pays it per event:
 * a burst of one process's events (its facts reused), and events of two processes alternating
 * (ancestors, user name and facts rebuilt each time). Real processes, real /proc.
 */
final class EnrichmentBench {
    private EnrichmentBench() {}

    static void run(boolean quick) throws Exception {
        Event[] sink = new Event[1];
        ProcessEnrichment stage = new ProcessEnrichment(e -> sink[0] = e).seed();
        Process child = new ProcessBuilder("sh", "-c", "sleep 60; exit 0").start();
        try {
            Event self = event((int) ProcessHandle.current().pid(), (int) ProcessHandle.current().parent().orElseThrow().pid());
            Event other = event((int) child.pid(), (int) ProcessHandle.current().pid());
            long n = quick ? 200_000 : 2_000_000;
            int rounds = quick ? 3 : 7;
            System.out.println();
            System.out.printf("Process table enrichment (per event, on the poller thread; %d processes seeded)%n", stage.tracked());
            System.out.printf("%-60s %10s %10s %10s%n", "case", "min ns", "median ns", "max ns");
            report("one process's burst (facts reused)", rounds, () -> time(stage, new Event[] {self}, sink, n));
            report("two processes alternating (rebuilt)", rounds, () -> time(stage, new Event[] {self, other}, sink, n));
        } finally {
            child.destroyForcibly();
            child.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** One timed round: ns per event. */
    interface Round {
        double run();
    }

    /** Runs a warm-up, then rounds, and prints min, median and max (shared with the other per-event benches). */
    static void report(String name, int rounds, Round r) {
        r.run(); // warm-up
        double[] ns = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            ns[i] = r.run();
        }
        Arrays.sort(ns);
        System.out.printf("%-60s %10.1f %10.1f %10.1f%n", name, ns[0], ns[rounds / 2], ns[rounds - 1]);
    }

    private static Event event(int pid, int ppid) {
        ProcessInfo p = new ProcessInfo(pid, pid, ppid, 0, 0, 0, 0, "bench", "", 4026531841L, 4, 0, 1, ContainerInfo.HOST);
        return new FileEvent(System.currentTimeMillis() * 1_000_000L, p, FileOp.OPEN, "openat", "/etc/hostname", "", 0, -1, -1, -1, 3,
                true);
    }

    private static double time(ProcessEnrichment stage, Event[] events, Event[] sink, long n) {
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            stage.accept(events[(int) (i % events.length)]);
        }
        double per = (System.nanoTime() - t0) / (double) n;
        if (sink[0] == null || sink[0].process().facts().eventNum() == 0) {
            throw new AssertionError("the stage delivered no facts");
        }
        return per;
    }
}
