package io.eunomia.bench;

import io.eunomia.bpf.process.ProcessEnrichment;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecCredentials;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.StreamKind;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the process-table stage (ProcessEnrichment) as the sensor poller pays it per event:
 * a burst of one process's events (its facts reused), and events of two processes alternating
 * (ancestors, user name and facts rebuilt each time), and an exec with the credentials the
 * kernel sensor read against one without (then /proc/PID/status is read, as before 2026-12-06's
 * sparse-event pass). Real processes, real /proc.
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
            long execs = quick ? 5_000 : 20_000;
            System.out.printf("%-60s %10s %10s %10s%n", "exec (thread CPU per event)", "min ns", "median ns", "max ns");
            report("exec, credentials from the kernel record", rounds, () -> cpuTime(stage, exec(child, true), sink, execs));
            report("exec, credentials from /proc/PID/status", rounds, () -> cpuTime(stage, exec(child, false), sink, execs));
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

    /** An exec of the child (alive throughout), with or without the credentials a kernel record carries. */
    private static Event exec(Process child, boolean withCredentials) {
        int pid = (int) child.pid();
        ProcessInfo p = new ProcessInfo(pid, pid, (int) ProcessHandle.current().pid(), 0, 0, 0, 0, "sleep", "", 4026531841L, 4, 0, 1,
                ContainerInfo.HOST);
        return new ExecEvent(System.currentTimeMillis() * 1_000_000L, p, pid, "/usr/bin/sleep", List.of("sleep", "60"), 2, false, "",
                StreamKind.PIPE, StreamKind.PIPE, StreamKind.PIPE, 0, "", false,
                withCredentials ? new ExecCredentials(0x1fffef7dfffL, 0x1fffef7dfffL, 0, pid) : null);
    }

    /** Thread CPU ns per event (what the poller pays, whatever else the machine runs). */
    private static double cpuTime(ProcessEnrichment stage, Event e, Event[] sink, long n) {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = threads.getCurrentThreadCpuTime();
        for (long i = 0; i < n; i++) {
            stage.accept(e);
        }
        double per = (threads.getCurrentThreadCpuTime() - t0) / (double) n;
        if (sink[0] == null || sink[0].process().facts().capEffective() < 0) {
            throw new AssertionError("the stage delivered no capabilities");
        }
        return per;
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
