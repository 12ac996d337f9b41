package io.eunomia.engine.cli;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.engine.Main;
import io.eunomia.engine.config.ListenAddress;
import io.eunomia.engine.learn.ProgressView;
import io.eunomia.engine.learn.Workload;
import io.eunomia.engine.learn.WorkloadDirectory;
import io.eunomia.event.Event;
import io.eunomia.profiler.ContainerDirectory;
import java.util.function.Consumer;
import io.eunomia.engine.metrics.LearningMetrics;
import io.eunomia.engine.metrics.MetricsServer;
import io.eunomia.event.CapEvent;
import io.eunomia.event.ExecEvent;
import io.eunomia.profiler.LearnSelection;
import io.eunomia.profiler.LearnSelection.ProfileKey;
import io.eunomia.profiler.Learner;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFormatException;
import io.eunomia.profiler.ProfileStore;
import io.eunomia.profiler.kernel.KernelContainerDirectory;
import io.eunomia.profiler.kernel.KernelUsageSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code eunomia learn}: learns what containers need (syscalls per architecture, the runtime's
 * set-up apart, argument values, capabilities, executables) and writes their profiles,
 * checkpointed while it runs.
 */
@Command(name = "learn", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Learn what containers really need and write their profiles (YAML, policies/schema/profile-v1.schema.json).",
                "Containers that start later are learned from their first syscall; --container may name one that does not exist yet.",
                "Examples:",
                "  eunomia learn --container web --out-dir profiles/ --until-stable 5m",
                "  eunomia learn --image nginx:1.27 --out nginx.yaml --duration 10m",
                "  eunomia learn --runtime runc --rootfs ./rootfs --out job.yaml -- /bin/sh -c 'make test'"})
public final class LearnCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--container", paramLabel = "NAME|ID", description = "A container to learn (repeatable); it may start later.")
    List<String> containers = new ArrayList<>();

    @Option(names = "--all-containers", description = "Every container, one profile each.")
    boolean allContainers;

    @Option(names = "--image", paramLabel = "IMAGE",
            description = "Every container of this image, one profile for all (repeatable); with -- COMMAND: the image to run.")
    List<String> images = new ArrayList<>();

    @Option(names = "--runtime", paramLabel = "docker|podman|runc|crun",
            description = "With -- COMMAND: the runtime that runs it (default docker with --image, runc with --rootfs).")
    String runtime;

    @Option(names = "--rootfs", paramLabel = "DIR", description = "With -- COMMAND under runc/crun: the root file system.")
    Path rootfs;

    @Option(names = "--name", paramLabel = "NAME",
            description = "With -- COMMAND: the container's (and profile's) name (default: from the image or rootfs).")
    String name;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the (one) profile here.")
    Path out;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "Write one profile per container or image here.")
    Path outDir;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long (90, 90s, 5m, 2h).")
    Duration duration;

    @Option(names = "--until-stable", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop once no profile learned anything new for this long.")
    Duration untilStable;

    @Option(names = "--checkpoint", paramLabel = "SECONDS", converter = DurationConverter.class, defaultValue = "10",
            description = "Write the profiles every this often (default 10): kill -9 loses at most that much.")
    Duration checkpoint;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = "Progress: a live table (text, on a terminal) or JSON lines (json, and whenever stdout is not a terminal).")
    String format;

    @Option(names = "--docker-socket", paramLabel = "PATH", description = "Docker Engine API socket for names and images (repeatable).")
    List<Path> dockerSockets = new ArrayList<>();

    @Option(names = "--metrics-address", paramLabel = "HOST:PORT",
            description = "Serve learning metrics on http://HOST:PORT/metrics (off unless given).")
    String metricsAddress;

    @Option(names = "--poll", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "500ms",
            description = "How often the kernel maps are read (default 500ms): the precision of first-seen times.")
    Duration poll;

    @Parameters(paramLabel = "COMMAND", description = "After --: a workload to start in a container and learn.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Workload.Plan plan = plan();
        ProfileStore store = out != null ? ProfileStore.file(out) : ProfileStore.directory(outDir);
        List<String> known = new ArrayList<>(images);
        known.addAll(containers);
        if (plan != null) {
            known.add(plan.name());
        }
        try {
            store.check(known);
        } catch (ProfileFormatException e) {
            err.println("eunomia: " + e.getMessage());
            err.println("eunomia: nothing was learned or written; fix or move the file, or choose another --out/--out-dir");
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        LearnSelection selection = plan != null
                ? new LearnSelection(List.of(plan.name()), List.of(), false)
                : new LearnSelection(containers, images, allContainers);

        ContainerSources sources = ContainerSources.defaults();
        for (Path s : dockerSockets) {
            sources = sources.withDockerSocket(s);
        }
        // Without the 32-bit call dispatcher: the learner needs no failed-exec events (syscount keeps
        // 32-bit calls in its own bitmap), and the dispatcher pair would cost every syscall ~80 ns.
        SensorOptions options = SensorOptions.of(EnumSet.of(Sensor.SYSCOUNT, Sensor.CAP, Sensor.PROCESS)).withContainers(sources)
                .withCompatCalls(false);
        Map<ProfileKey, IOException> failures = new ConcurrentHashMap<>();
        boolean json = format.equals("json") || System.console() == null || !System.console().isTerminal();
        PrintStream stdout = System.out;
        ProgressView view = json ? ProgressView.jsonLines(stdout) : ProgressView.table(stdout);
        try (KernelSensors sensors = KernelSensors.start(options)) {
            KernelUsageSource source = KernelUsageSource.of(sensors);
            source.containersOnly();
            ContainerDirectory containers = new KernelContainerDirectory(sensors, sources);
            WorkloadDirectory pinned = plan != null && !plan.runsImage() ? new WorkloadDirectory(containers, Workload.identity(plan)) : null;
            Learner learner = new Learner(source, pinned != null ? pinned : containers, selection,
                    Clock.systemUTC(), key -> earlier(store, key, failures, err));
            if (plan != null) {
                learner.requireRuntime(plan.name(), plan.runtime());
            }
            Consumer<Event> toLearner = pinned == null ? learner::accept : e -> {
                boolean start = pinned.offer(e);
                learner.accept(pinned.identify(e));
                if (start) {
                    pinned.handedOver();
                }
            };
            try (var sub = sensors.subscribe(e -> e instanceof ExecEvent || e instanceof CapEvent, toLearner);
                 StopSignal stop = new StopSignal(Duration.ofSeconds(20));
                 Metrics metrics = Metrics.start(this, learner)) {
                err.printf("eunomia: learning %s; profiles go to %s%s%n", describe(selection, plan),
                        out != null ? out : outDir + "/", metrics.where());
                err.flush();
                Workload workload = plan == null ? null : plan.start();
                if (pinned != null) {
                    pinned.runtimeStarted(workload.pid());
                }
                try {
                    String why = loop(learner, store, failures, view, stop, workload, metrics);
                    if (pinned != null && !pinned.awaitWorkload(Duration.ofSeconds(10))) {
                        err.println("eunomia: the workload's start was not seen (did it run at all?)");
                    }
                    learner.poll();
                    Map<String, Path> written = writeAll(learner, store, failures, null, view, err);
                    view.done(learner.progress(), written, why);
                } finally {
                    if (workload != null) {
                        workload.close();
                    }
                }
            }
        }
        failures.forEach((k, e) -> err.println("eunomia: profile " + k.name() + " not written: " + e.getMessage()));
        return failures.isEmpty() ? 0 : 1;
    }

    /** Polls, shows progress and checkpoints until a stop condition; returns why it stopped. */
    private String loop(Learner learner, ProfileStore store, Map<ProfileKey, IOException> failures, ProgressView view,
                        StopSignal stop, Workload workload, Metrics metrics) throws InterruptedException {
        Instant start = Instant.now();
        Instant nextCheckpoint = start.plus(checkpoint);
        Instant nextShow = start;
        Map<ProfileKey, Long> written = new HashMap<>();
        while (true) {
            if (stop.await(poll.toMillis(), TimeUnit.MILLISECONDS)) {
                return "interrupted";
            }
            learner.poll();
            metrics.update();
            for (String w : learner.drainWarnings()) {
                spec.commandLine().getErr().println("eunomia: warning: " + w);
                spec.commandLine().getErr().flush();
                view.warning(w);
            }
            Instant now = Instant.now();
            Duration elapsed = Duration.between(start, now);
            if (!now.isBefore(nextShow)) {
                view.show(learner.progress(), waitingFor(learner), elapsed);
                nextShow = now.plusSeconds(1);
            }
            if (!now.isBefore(nextCheckpoint)) {
                writeAll(learner, store, failures, written, view, spec.commandLine().getErr());
                nextCheckpoint = now.plus(checkpoint);
            }
            if (workload != null && workload.exited()) {
                // Events come a little after the fact (a new container's are held until it is named).
                Thread.sleep(Math.max(poll.toMillis(), 500));
                return "the workload exited with status " + workload.exitCode();
            }
            if (duration != null && elapsed.compareTo(duration) >= 0) {
                return "--duration " + DurationConverter.format(duration) + " reached";
            }
            if (untilStable != null && learner.stable(untilStable)) {
                return "nothing new for " + DurationConverter.format(untilStable) + " (--until-stable)";
            }
        }
    }

    /** Containers asked for by name that have no profile yet. */
    private List<String> waitingFor(Learner learner) {
        Set<String> seen = new HashSet<>();
        for (Learner.Progress p : learner.progress()) {
            seen.add(p.name());
            seen.addAll(p.containerIds());
        }
        List<String> out = new ArrayList<>();
        for (String c : containers) {
            if (seen.stream().noneMatch(s -> s.equals(c) || (c.length() >= 12 && s.startsWith(c)))) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Writes the profiles that changed since {@code written} recorded them (all when it is null);
     * returns where each went.
     */
    private static Map<String, Path> writeAll(Learner learner, ProfileStore store, Map<ProfileKey, IOException> failures,
                                              Map<ProfileKey, Long> written, ProgressView view, PrintWriter err) {
        Map<String, Path> files = new LinkedHashMap<>();
        Map<ProfileKey, Long> changes = learner.changes();
        for (var e : changes.entrySet()) {
            ProfileKey key = e.getKey();
            if (failures.containsKey(key)) {
                continue;
            }
            if (written != null && e.getValue().equals(written.get(key))) {
                try {
                    files.put(key.name(), store.pathOf(key));
                } catch (IOException ignored) {
                    // reported when it was first tried
                }
                continue;
            }
            Optional<Profile> p = learner.profile(key);
            if (p.isEmpty()) {
                continue;
            }
            try {
                Path f = store.write(key, p.get());
                files.put(key.name(), f);
                if (written != null) {
                    written.put(key, e.getValue());
                    view.checkpoint(key.name(), f);
                }
            } catch (IOException ex) {
                failures.put(key, ex);
                err.println("eunomia: cannot write the profile of " + key.name() + ": " + ex.getMessage());
            }
        }
        return files;
    }

    private static Optional<Profile> earlier(ProfileStore store, ProfileKey key, Map<ProfileKey, IOException> failures,
                                             PrintWriter err) {
        try {
            return store.earlier(key);
        } catch (IOException e) {
            failures.put(key, e);
            err.println("eunomia: " + e.getMessage() + " (the profile of " + key.name() + " is learned but not written)");
            return Optional.empty();
        }
    }

    private String describe(LearnSelection s, Workload.Plan plan) {
        if (plan != null) {
            return plan.describe();
        }
        List<String> parts = new ArrayList<>();
        s.containers().forEach(c -> parts.add("container " + c));
        s.images().forEach(i -> parts.add("image " + i));
        if (s.allContainers()) {
            parts.add("all containers");
        }
        return String.join(", ", parts);
    }

    /** Checks the options; returns what to start for -- COMMAND, or null. */
    private Workload.Plan plan() {
        if (!format.equals("text") && !format.equals("json")) {
            throw usage("--format must be text or json, not '" + format + "'");
        }
        if ((out == null) == (outDir == null)) {
            throw usage("say where the profiles go: --out FILE (one profile) or --out-dir DIR");
        }
        if (poll.compareTo(Duration.ofMillis(50)) < 0) {
            throw usage("--poll must be at least 50ms");
        }
        if (metricsAddress != null) {
            try {
                ListenAddress.parse("--metrics-address", metricsAddress);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        if (command.isEmpty()) {
            if (runtime != null || rootfs != null || name != null) {
                throw usage("--runtime, --rootfs and --name go with a workload to start: eunomia learn ... -- COMMAND");
            }
            if (containers.isEmpty() && images.isEmpty() && !allContainers) {
                throw usage("nothing to learn: --container NAME|ID, --image IMAGE, --all-containers, or -- COMMAND");
            }
            if (out != null && (allContainers || containers.size() + images.size() > 1)) {
                throw usage("--out takes one profile; use --out-dir DIR for several containers or images");
            }
            return null;
        }
        if (!containers.isEmpty() || allContainers || images.size() > 1) {
            throw usage("with -- COMMAND, learn only the workload started: no --container, --all-containers or second --image");
        }
        String image = images.isEmpty() ? null : images.getFirst();
        String rt = runtime != null ? runtime : image != null ? "docker" : "runc";
        if (!Workload.RUNTIMES.contains(rt)) {
            throw usage("--runtime must be one of " + String.join(", ", Workload.RUNTIMES) + ", not '" + rt + "'");
        }
        boolean engine = rt.equals("docker") || rt.equals("podman");
        if (engine && image == null) {
            throw usage(rt + " runs an image: add --image IMAGE");
        }
        if (!engine && rootfs == null) {
            throw usage(rt + " runs a root file system: add --rootfs DIR");
        }
        if (engine && rootfs != null || !engine && image != null) {
            throw usage(engine ? "--rootfs goes with runc or crun" : "--image goes with docker or podman");
        }
        String n = name != null ? name : Workload.defaultName(image, rootfs);
        if (!Workload.validName(n)) {
            throw usage("--name '" + n + "' must be letters, digits, '_', '.', '-' (at most 63)");
        }
        return new Workload.Plan(rt, n, image, rootfs, List.copyOf(command));
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The optional /metrics endpoint. */
    private record Metrics(MetricsServer server, LearningMetrics learning) implements AutoCloseable {
        static Metrics start(LearnCommand cmd, Learner learner) {
            if (cmd.metricsAddress == null) {
                return new Metrics(null, null);
            }
            java.net.InetSocketAddress at;
            try {
                at = ListenAddress.parse("--metrics-address", cmd.metricsAddress);
            } catch (IllegalArgumentException e) {
                throw cmd.usage(e.getMessage());
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            LearningMetrics m = new LearningMetrics(learner);
            m.bindTo(registry);
            new io.eunomia.engine.metrics.BuildInfo().bindTo(registry);
            try {
                return new Metrics(MetricsServer.start(at, registry), m);
            } catch (IOException e) {
                throw cmd.usage("cannot serve metrics on " + cmd.metricsAddress + ": " + e.getMessage());
            }
        }

        void update() {
            if (learning != null) {
                learning.update();
            }
        }

        String where() {
            return server == null ? "" : "; metrics on http://" + server.address().getHostString() + ":"
                    + server.address().getPort() + "/metrics";
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }
}
