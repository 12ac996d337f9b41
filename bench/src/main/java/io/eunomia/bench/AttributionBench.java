package io.eunomia.bench;

import io.eunomia.bpf.container.CgroupControllers;
import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.bpf.container.ContainerResolver;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.bpf.container.NamespaceIdentity;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.ProcessInfo;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the container attribution stage as the sensor poller pays it per event: an event of the
 * host, an event of a namespace already resolved, and (off the event path, on a resolver thread)
 * the resolution of a new namespace from its identity.
 */
final class AttributionBench {
    private AttributionBench() {}

    static void run(boolean quick) throws Exception {
        long host = Namespaces.hostMountNamespace();
        String controller = CgroupControllers.watchedV1().map(CgroupControllers.Controller::name).orElse("");
        Event[] sink = new Event[1];
        // A real process in its own mount namespace, like a container's.
        Process child = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sleep", "60").start();
        // The resolver owns a thread reading the engine's event stream. The stage closes it too; a
        // second close finds that thread ended.
        try (ContainerResolver resolver = new ContainerResolver(ContainerSources.defaults(), controller);
                ContainerAttribution stage = new ContainerAttribution(resolver, host, e -> sink[0] = e, key -> {})) {
            long childMntns = 0;
            for (int i = 0; i < 100 && childMntns == 0; i++) {
                long ns = Namespaces.mountNamespace(child.pid()).orElse(host);
                childMntns = ns != host ? ns : 0;
                Thread.sleep(10);
            }
            int childPid = (int) child.pid();
            // Its real id: a process is only taken for one of a namespace whose id it is in.
            long childId = io.eunomia.libbpf.Libc.mountNamespaceId(childPid).orElse(0);
            NamespaceIdentity identity = resolver.identityOf(childPid, childMntns, childId).orElseThrow();
            stage.onIdentity(identity);
            while (stage.resolving() || stage.resolutions() == 0) {
                stage.offer(event(childPid, childMntns, childId)); // held until resolved
                stage.releaseReady();
                Thread.sleep(1);
            }
            long hits = quick ? 2_000_000 : 20_000_000;
            System.out.println();
            System.out.println("Container attribution (per event, on the poller thread)");
            System.out.printf("%-40s %12s%n", "case", "ns/event");
            System.out.printf("%-40s %12.1f%n", "host process", time(stage, event((int) ProcessHandle.current().pid(), host, 1),
                    sink, hits));
            System.out.printf("%-40s %12.1f%n", "own mount namespace, resolved", time(stage, event(childPid, childMntns, childId),
                    sink, hits));
            int misses = quick ? 500 : 3000;
            long t0 = System.nanoTime();
            for (int i = 0; i < misses; i++) {
                resolver.resolve(identity);
            }
            double missNs = (System.nanoTime() - t0) / (double) misses;
            System.out.printf("%-40s %12.1f  (%.1f µs)%n", "resolve a new namespace (resolver thread)", missNs, missNs / 1000);
        } finally {
            child.destroyForcibly();
            child.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static Event event(int pid, long mntns, long mntnsId) {
        return new ForkEvent(0, new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, "bench", "", mntns, mntnsId, 0, 1,
                ContainerInfo.UNRESOLVED), pid + 1);
    }

    private static double time(ContainerAttribution stage, Event e, Event[] sink, long n) {
        for (int round = 0; round < 2; round++) { // the first round warms up the JIT
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i++) {
                stage.offer(e);
            }
            if (round == 1) {
                if (sink[0] == null) {
                    throw new AssertionError("the stage delivered nothing");
                }
                return (System.nanoTime() - t0) / (double) n;
            }
        }
        throw new AssertionError();
    }
}
