package io.eunomia.bench;

import io.eunomia.bpf.paths.PathCallResolution;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Cost of naming path calls through the task's root (PathCallResolution) as the sensor poller
 * pays it per event, in CPU time of the calling thread (robust to a loaded machine): an unlink in
 * the directory of the task's previous call (remembered: no look at the file system), an unlink 6
 * directories deep in a directory not remembered (a readlink of the task's namespace, an lstat per
 * directory), the same through a symlinked directory, the same with the namespace's mount table
 * re-read each time (what a mount or umount, or the table's 1 s age, costs once), and an open
 * (passed through). The walks-per-second budget is lifted (each walk is done, none skipped). CPU
 * time counts the poller thread and the walker threads (eunomia-path-walk-*) the walks run on;
 * the wall time per event (what the poller waits, load-sensitive) is printed beside it.
 */
final class PathResolutionBench {
    private PathResolutionBench() {}

    static void run(boolean quick) throws Exception {
        Path dir = Files.createTempDirectory("eunomia-bench-paths-");
        try {
            // More directories than the stage remembers (RecentDirectories, 1,024): each call is walked.
            int dirs = 2048;
            Event[] walked = new Event[dirs];
            Event[] viaLinks = new Event[dirs];
            int pid = (int) ProcessHandle.current().pid();
            long mntns = mntns();
            for (int i = 0; i < dirs; i++) {
                Path deep = Files.createDirectories(dir.resolve("a/b/c/d" + i));
                Path link = Files.createSymbolicLink(dir.resolve("l" + i), deep);
                walked[i] = event(pid, mntns, FileOp.UNLINK, deep + "/x");
                viaLinks[i] = event(pid, mntns, FileOp.UNLINK, link + "/x");
            }
            PathCallResolution stage = PathCallResolution.withBudget(Integer.MAX_VALUE);
            Event[] open = {event(pid, mntns, FileOp.OPEN, ((FileEvent) walked[0]).path())};
            if (((FileEvent) stage.apply(viaLinks[0])).path().equals(((FileEvent) viaLinks[0]).path())) {
                throw new AssertionError("the symlinked directory was not resolved");
            }
            long n = quick ? 20_000 : 200_000;
            int rounds = quick ? 3 : 7;
            System.out.println();
            System.out.printf("Path calls through the task's root (per event, CPU time of the poller thread; load %s)%n",
                    Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.printf("%-60s %10s %10s %10s%n", "case (CPU ns, poller + walkers; then wall ns)", "min ns", "median ns", "max ns");
            EnrichmentBench.report("unlink in the directory of the task's last call (remembered)", rounds,
                    () -> time(stage, new Event[] {walked[0]}, n * 10, false));
            EnrichmentBench.report("unlink 6 directories deep, directory walked", rounds, () -> time(stage, walked, n, false));
            EnrichmentBench.report("unlink through a symlinked directory, walked", rounds, () -> time(stage, viaLinks, n, false));
            EnrichmentBench.report("unlink, walked, mount table re-read (mount/umount seen)", rounds, () -> time(stage, walked, n / 4, true));
            EnrichmentBench.report("open (not a path call: passed through)", rounds, () -> time(stage, open, n * 10, false));
            EnrichmentBench.report("wall: unlink 6 directories deep, directory walked", rounds, () -> wall(stage, walked, n));
            EnrichmentBench.report("wall: unlink through a symlinked directory, walked", rounds, () -> wall(stage, viaLinks, n));
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long mntns() throws Exception {
        String l = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        return Long.parseLong(l.substring(l.indexOf('[') + 1, l.length() - 1));
    }

    private static Event event(int pid, long mntns, FileOp op, String path) {
        ProcessInfo p = new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, "bench", "", mntns, 4, 0, 1, ContainerInfo.HOST);
        return new FileEvent(System.currentTimeMillis() * 1_000_000L, p, op, op == FileOp.OPEN ? "openat" : "unlinkat", path, "",
                0, -1, -1, -1, 0, false);
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Event MOUNT = new io.eunomia.event.SyscallEvent(0, ((FileEvent) event(1, 0, FileOp.OPEN, "/")).process(),
            "mount", 165, java.util.Map.of(), java.util.Map.of(), 0);

    private static double time(PathCallResolution stage, Event[] events, long n, boolean remount) {
        long sink = 0;
        long t0 = cpuOfPollerAndWalkers();
        for (long i = 0; i < n; i++) {
            if (remount) {
                stage.apply(MOUNT);
            }
            sink += stage.apply(events[(int) (i % events.length)]).epochNanos();
        }
        double per = (cpuOfPollerAndWalkers() - t0) / (double) n;
        if (sink == 0) {
            throw new AssertionError("nothing came out");
        }
        return per;
    }

    private static double wall(PathCallResolution stage, Event[] events, long n) {
        long sink = 0;
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            sink += stage.apply(events[(int) (i % events.length)]).epochNanos();
        }
        double per = (System.nanoTime() - t0) / (double) n;
        if (sink == 0) {
            throw new AssertionError("nothing came out");
        }
        return per;
    }

    /** CPU time of this thread and of every path walker thread (live ones: they idle out only after 30 s). */
    private static long cpuOfPollerAndWalkers() {
        long total = THREADS.getCurrentThreadCpuTime();
        for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("eunomia-path-walk-")) {
                long cpu = THREADS.getThreadCpuTime(t.getThreadId());
                total += Math.max(cpu, 0);
            }
        }
        return total;
    }
}
