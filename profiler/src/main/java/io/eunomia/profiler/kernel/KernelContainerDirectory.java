package io.eunomia.profiler.kernel;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.bpf.container.LiveNamespace;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ContainerInfo;
import io.eunomia.profiler.ContainerDirectory;
import io.eunomia.profiler.RuntimeInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Containers of this host for the learner: namespaces seen in events (the sensors' container
 * registry, which names a container at its first event, so also one that is gone by now), and
 * processes running now (one /proc scan per {@link #SCAN_INTERVAL_NANOS}).
 */
public final class KernelContainerDirectory implements ContainerDirectory {
    private static final long SCAN_INTERVAL_NANOS = 500_000_000L;
    /** A namespace missing from a scan older than this is looked for again. */
    private static final long RESCAN_NANOS = 20_000_000L;

    private final KernelSensors sensors;
    private final ContainerAttribution registry;
    private final ContainerRuntimes runtimes;
    private Map<Long, LiveNamespace> liveByNumber = Map.of();
    private long lastScan;
    private boolean scanned;

    public KernelContainerDirectory(KernelSensors sensors, ContainerSources sources) {
        this.sensors = sensors;
        this.registry = sensors.containers();
        this.runtimes = new ContainerRuntimes(sources, System::nanoTime);
    }

    /**
     * Only a complete identity: the learner files a namespace by it for good, so a name not read
     * yet (docker or podman still writing their records) means "ask again later".
     */
    @Override
    public Optional<ContainerInfo> container(long mntns, long namespaceId) {
        if (registry.isHostNamespace(mntns)) {
            return Optional.of(ContainerInfo.HOST);
        }
        for (ContainerAttribution.Seen s : registry.seen()) {
            if (s.mntns() == mntns && (s.mntnsId() == namespaceId || namespaceId == 0) && complete(s.container())) {
                return Optional.of(s.container());
            }
        }
        // By id as well as number: the number of a namespace that died before it was named belongs
        // at once to the next one, often a new container, whose identity it must not take.
        LiveNamespace live = live().get(mntns);
        return live == null || namespaceId != 0 && live.mntnsId() != 0 && live.mntnsId() != namespaceId ? Optional.empty()
                : registry.resolver().resolveLive(live.pid(), mntns, namespaceId).filter(this::complete);
    }

    @Override
    public boolean isHost(long mntns) {
        return registry.isHostNamespace(mntns);
    }

    @Override
    public boolean alive(long mntns, long namespaceId) {
        return lives(live(), mntns, namespaceId) || lives(rescan(RESCAN_NANOS), mntns, namespaceId);
    }

    /** A scanned process of the number is still in that namespace (the id's, not a later one with its number). */
    private boolean lives(Map<Long, LiveNamespace> scan, long mntns, long namespaceId) {
        LiveNamespace live = scan.get(mntns);
        return live != null && registry.resolver().inNamespace(live.pid(), mntns, namespaceId);
    }

    /** A process of every mount namespace that has one, rescanned at most twice a second. */
    private Map<Long, LiveNamespace> live() {
        return rescan(SCAN_INTERVAL_NANOS);
    }

    private synchronized Map<Long, LiveNamespace> rescan(long maxAgeNanos) {
        long now = System.nanoTime();
        if (!scanned || now - lastScan >= maxAgeNanos) {
            Map<Long, LiveNamespace> out = new HashMap<>();
            // A number is one live namespace's at a time; its id tells it from a dead one's with that number.
            Namespaces.live().forEach(ns -> out.putIfAbsent(ns.mntns(), ns));
            liveByNumber = out;
            lastScan = System.nanoTime();
            scanned = true;
            runtimes.lookAgain();   // a container's runtime state is written a moment after its first events
        }
        return liveByNumber;
    }

    @Override
    public Set<Namespace> liveNamespaces() {
        Set<Namespace> out = new HashSet<>();
        live().values().forEach(ns -> out.add(new Namespace(ns.mntns(), ns.mntnsId())));
        return out;
    }

    @Override
    public RuntimeInfo runtime(ContainerInfo c) {
        return runtimes.runtime(c);
    }

    /** Told at a process scan (twice a second while the learner polls), up to 30 s after the first look. */
    @Override
    public void whenRuntimeFound(ContainerInfo c, Consumer<RuntimeInfo> found) {
        runtimes.whenFound(c, found);
    }

    @Override
    public Optional<Boolean> noNewPrivs(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("NoNewPrivs:")) {
                    return Optional.of(line.substring("NoNewPrivs:".length()).strip().equals("1"));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return Optional.empty();
    }

    /** Through /proc/PID/exe (the very file the process runs), only while it still runs a file by that name. */
    @Override
    public Optional<String> sha256(int pid, String exe) {
        return ExecutableHash.ofProcess(pid, exe);
    }

    /** By its path inside the root the namespace's last exec ran in, where the host reaches it. */
    @Override
    public Optional<String> sha256InRoot(long namespaceId, String exe) {
        return sensors.execRootOnHost(namespaceId).flatMap(root -> ExecutableHash.inRoot(root, exe));
    }
}
