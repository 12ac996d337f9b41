package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.ContainerRegistry;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ContainerInfo;
import java.io.PrintStream;
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

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "2",
            description = "Watch events for this long to count them and catch short-lived containers (default 2).")
    double durationSeconds;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "text or json.")
    String format;

    @Option(names = "--docker-socket", paramLabel = "PATH", description = "Docker Engine API socket (repeatable).")
    List<java.nio.file.Path> dockerSockets = new ArrayList<>();

    /** One row of the listing. */
    record Row(ContainerInfo container, long mntns, long events, boolean running) {}

    @Override
    public Integer call() throws Exception {
        if (!format.equals("text") && !format.equals("json")) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--format must be text or json, not '" + format + "'");
        }
        ContainerSources sources = ContainerSources.defaults();
        for (var s : dockerSockets) {
            sources = sources.withDockerSocket(s);
        }
        // The seccomp sensor emits nothing to count and costs every container syscall: not for this.
        SensorOptions options = SensorOptions.of(EnumSet.complementOf(EnumSet.of(Sensor.SECCOMP))).withContainers(sources);
        Map<Long, Row> rows = new LinkedHashMap<>();
        try (KernelSensors sensors = KernelSensors.start(options)) {
            ContainerRegistry registry = sensors.containers();
            // Running now: one process per mount namespace outside the host's, resolved like events are.
            for (var p : ProcessHandle.allProcesses().toList()) {
                long mntns = Namespaces.mountNamespace(p.pid()).orElse(-1);
                if (mntns > 0 && !registry.isHostNamespace(mntns) && !rows.containsKey(mntns)) {
                    registry.resolver().resolve((int) p.pid(), mntns)
                            .ifPresent(c -> rows.put(mntns, new Row(c, mntns, 0, true)));
                }
            }
            System.err.printf("eunomia: watching for %.1f s%n", durationSeconds);
            Thread.sleep((long) (durationSeconds * 1000));
            // Seen while watching: adds event counts, and containers that came and went meanwhile.
            for (ContainerRegistry.Seen s : registry.seen()) {
                if (s.container().isHost() || !s.container().isResolved()) {
                    continue;
                }
                Row running = rows.get(s.mntns());
                boolean alive = running != null && running.container().id().equals(s.container().id());
                rows.put(s.mntns(), new Row(s.container(), s.mntns(), s.events(), alive));
            }
        }
        print(System.out, new ArrayList<>(rows.values()));
        return 0;
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
