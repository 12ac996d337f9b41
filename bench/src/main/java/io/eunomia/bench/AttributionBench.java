package io.eunomia.bench;

import io.eunomia.bpf.container.ContainerRegistry;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.ContainerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Cost of attributing an event to its container, as the sensor poller pays it per event: a cache
 * hit for a host process, a cache hit for a process in its own mount namespace, and a miss
 * (first event of a namespace: /proc reads and state-directory lookups).
 */
final class AttributionBench {
    private AttributionBench() {}

    static void run(boolean quick) throws Exception {
        ContainerRegistry registry = ContainerRegistry.forHost(ContainerSources.defaults());
        long hostMntns = mntns(ProcessHandle.current().pid());
        int hostPid = (int) ProcessHandle.current().pid();
        // A real process in its own mount namespace, like a container's.
        Process child = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sleep", "60").start();
        try {
            long childMntns = 0;
            for (int i = 0; i < 100 && childMntns == 0; i++) {
                long ns = mntns(child.pid());
                childMntns = ns != hostMntns ? ns : 0;
                Thread.sleep(10);
            }
            int childPid = (int) child.pid();
            long hits = quick ? 2_000_000 : 20_000_000;
            System.out.println();
            System.out.println("Container attribution (per event, on the poller thread)");
            System.out.printf("%-34s %12s%n", "case", "ns/event");
            System.out.printf("%-34s %12.1f%n", "hit: host process", timeHits(registry, hostPid, hostMntns, 1, hits));
            registry.attribute(childPid, childMntns, 42, true);
            System.out.printf("%-34s %12.1f%n", "hit: own mount namespace", timeHits(registry, childPid, childMntns, 42, hits));
            int misses = quick ? 500 : 3000;
            long t0 = System.nanoTime();
            for (int i = 0; i < misses; i++) {
                registry.attribute(childPid, childMntns, 1_000_000L + i, false); // a new namespace id each time
            }
            double missNs = (System.nanoTime() - t0) / (double) misses;
            System.out.printf("%-34s %12.1f  (%.1f µs)%n", "miss: resolve a new namespace", missNs, missNs / 1000);
        } finally {
            child.destroyForcibly();
            child.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static double timeHits(ContainerRegistry registry, int pid, long mntns, long mntnsId, long n) {
        ContainerInfo sink = null;
        for (int round = 0; round < 2; round++) { // first round warms up the JIT
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i++) {
                sink = registry.attribute(pid, mntns, mntnsId, false);
            }
            if (round == 1) {
                if (sink == null) {
                    throw new AssertionError();
                }
                return (System.nanoTime() - t0) / (double) n;
            }
        }
        throw new AssertionError();
    }

    private static long mntns(long pid) throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "mnt")).toString();
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }
}
