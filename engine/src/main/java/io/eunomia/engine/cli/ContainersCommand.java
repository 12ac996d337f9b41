package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.ContainerInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code eunomia containers}: the containers running now and those seen during a short watch,
 * with runtime, image, mount namespace and event counts.
 */
@Command(name = "containers", mixinStandardHelpOptions = true,
        description = "List running containers and the containers seen while watching, with event counts.")
public final class ContainersCommand implements Callable<Integer> {

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "2", converter = Converters.Seconds.class,
            description = "Watch events for this long to count them and catch short-lived containers (Ctrl-C ends the "
                    + "watch early and lists what was seen). Default: ${DEFAULT-VALUE}.")
    double durationSeconds;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", converter = Converters.TextOrJson.class,
            description = "A table for people, or JSON. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--docker-socket", paramLabel = "PATH",
            description = "Also ask the Docker Engine API on this socket for names and images (repeatable; "
                    + "/var/run/docker.sock is asked anyway).")
    List<java.nio.file.Path> dockerSockets = new ArrayList<>();

    private static final Duration SEEN_POLL = Duration.ofMillis(200);

    /** One row of the listing. */
    record Row(ContainerInfo container, long mntns, long events, boolean running) {}

    @Override
    public Integer call() throws Exception {
        ContainerSources sources = ContainerSources.defaults();
        for (var s : dockerSockets) {
            if (!java.nio.file.Files.exists(s) || java.nio.file.Files.isRegularFile(s) || java.nio.file.Files.isDirectory(s)) {
                throw new CommandFailure(io.eunomia.engine.Main.EXIT_USAGE, "--docker-socket " + s
                        + (java.nio.file.Files.exists(s) ? ": not a socket" : ": no such socket")
                        + "; give the path dockerd listens on (its -H unix://PATH)");
            }
            sources = sources.withDockerSocket(s);
        }
        // Sensors loaded on request only (enforcement, the seccomp observer) add cost and nothing to count.
        SensorOptions options = SensorOptions.of(EnumSet.copyOf(java.util.Arrays.stream(Sensor.values())
                .filter(x -> !x.onRequestOnly()).toList())).withContainers(sources);
        // By container id: a mount namespace's inode number is reused by the next container.
        Map<String, Row> rows = new LinkedHashMap<>();
        Map<String, RunningContainers.Running> running = new java.util.HashMap<>();
        KernelSensors sensors = KernelSensors.start(options);
        StopSignal stop = new StopSignal(Duration.ofSeconds(15)); // from here on, Ctrl-C lists what was seen
        try {
            ContainerAttribution registry = sensors.containers();
            for (RunningContainers.Running r : RunningContainers.of(registry)) {
                running.putIfAbsent(r.container().id(), r);
                rows.putIfAbsent(r.container().id(), new Row(r.container(), r.namespace().mntns(), 0, true));
            }
            System.err.printf("eunomia: watching for %.1f s (Ctrl-C lists what was seen so far)%n", durationSeconds);
            watch(registry, stop);
            // Seen while watching (most recently active first): adds event counts, and containers that
            // came and went meanwhile.
            java.util.Set<String> counted = new java.util.HashSet<>();
            // (A namespace released before its identity came is named by the registry's later looks.)
            for (ContainerAttribution.Seen s : registry.seen()) {
                String id = s.container().id();
                if (s.container().isHost() || !s.container().isResolved() || !counted.add(id)) {
                    continue;
                }
                RunningContainers.Running r = running.get(id);
                boolean alive = r != null && r.runsIn(s.mntns(), s.mntnsId());
                rows.put(id, new Row(s.container(), s.mntns(), s.events(), alive));
            }
            print(System.out, new ArrayList<>(rows.values()));
            System.out.flush();
        } finally {
            // Returns at once: the kernel finishes detaching the syscall tracepoints by itself.
            sensors.closeInBackground();
            stop.close(); // release a waiting Ctrl-C hook: the list is out
        }
        return 0;
    }

    /**
     * Watches until the duration is over or Ctrl-C, saying on stderr each container as it is first
     * seen (named), so whoever waits for one need not wait out the duration.
     */
    private void watch(ContainerAttribution registry, StopSignal stop) throws InterruptedException {
        long deadline = System.nanoTime() + Math.round(durationSeconds * 1e9);
        java.util.Set<String> said = new java.util.HashSet<>();
        while (true) {
            for (ContainerAttribution.Seen s : registry.seen()) {
                ContainerInfo c = s.container();
                if (!c.isHost() && c.isResolved() && said.add(c.id())) {
                    System.err.printf("eunomia: seen %s (%s, %s)%n", c.name(), c.id(), c.runtime());
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || stop.await(Math.min(left, SEEN_POLL.toNanos()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }

    private void print(PrintStream out, List<Row> rows) throws Exception {
        if (format.equals("json")) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode arr = m.createArrayNode();
            for (Row r : rows) {
                ObjectNode n = arr.addObject();
                n.put("id", r.container().id());
                n.put("name", r.container().name());
                n.put("image", r.container().image());
                n.put("runtime", r.container().runtime());
                n.put("pod", r.container().podName());
                n.put("podNamespace", r.container().podNamespace());
                n.put("mntns", r.mntns());
                n.put("events", r.events());
                n.put("running", r.running());
            }
            out.println(m.writeValueAsString(arr));
            return;
        }
        String fmt = "%-14s %-24s %-32s %-10s %-12s %8s  %s%n";
        out.printf(fmt, "CONTAINER ID", "NAME", "IMAGE", "RUNTIME", "MNTNS", "EVENTS", "STATE");
        for (Row r : rows) {
            ContainerInfo c = r.container();
            out.printf(fmt, c.shortId(), cut(c.name(), 24), cut(c.image(), 32), c.runtime(), r.mntns(), r.events(),
                    r.running() ? "running" : "exited");
        }
        if (rows.isEmpty()) {
            out.println("(no containers)");
        }
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

}
