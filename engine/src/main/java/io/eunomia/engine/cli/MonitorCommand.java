package io.eunomia.engine.cli;

import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.engine.Main;
import io.eunomia.engine.config.ConfigException;
import io.eunomia.engine.config.ConfigLoader;
import io.eunomia.engine.config.EngineConfig;
import io.eunomia.engine.config.MonitorSettings;
import io.eunomia.engine.config.RingSize;
import io.eunomia.engine.metrics.MeteredOutput;
import io.eunomia.engine.metrics.MetricsServer;
import io.eunomia.engine.metrics.MonitorMetrics;
import io.eunomia.engine.metrics.ProfileMetrics;
import io.eunomia.engine.output.AlertFormat;
import io.eunomia.engine.control.ControlApi;
import io.eunomia.engine.learn.LiveLearning;
import io.eunomia.engine.internal.HeapGiveBack;
import io.eunomia.engine.internal.LossWarnings;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.engine.control.ControlServer;
import io.eunomia.engine.control.RecentAlerts;
import io.eunomia.engine.output.MonitorOutputs;
import io.eunomia.engine.output.Outputs;
import io.eunomia.engine.output.RotatingFileWriter;
import io.eunomia.engine.pipeline.FilterMode;
import io.eunomia.engine.pipeline.Monitor;
import io.eunomia.engine.pipeline.Pipeline;
import io.eunomia.engine.pipeline.RuleLoader;
import io.eunomia.enforcer.kernel.ProfileEnforcer;
import io.eunomia.enforcer.kernel.ProfileTarget;
import io.eunomia.event.Event;
import io.eunomia.event.StreamStats;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import io.eunomia.rules.RuleCache;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleCompiler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eunomia monitor}: live monitoring with the rules, until Ctrl-C. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Watch the host and its containers with security rules and print alerts.",
                "SIGHUP, or a change to a --rules file, reloads the rules; rules that do not compile are "
                        + "reported with file:line and the running ones stay."})
public class MonitorCommand implements Callable<Integer> {
    /** A bench's switch, not an option: watch only this mount namespace (inode number). */
    static final String ONLY_MNTNS_PROPERTY = "eunomia.bench.mntns";
    /**
     * A bench's switch, not an option: {@code off} or {@code drools} for a paired run against the
     * session filter the product runs (EUNOMIA_BENCH_JVM_FLAGS=-Deunomia.sessionFilter=off); read here
     * and handed down in {@link Pipeline.Settings}.
     */
    static final String SESSION_FILTER_PROPERTY = "eunomia.sessionFilter";
    /** Exit code when the rules cannot be loaded. */
    public static final int EXIT_RULES = Main.EXIT_RULES;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (YAML: rules, outputs, metrics; example: policies/eunomia.yaml); "
                    + "options given on the command line win.")
    Path config;

    @Option(names = "--rules", paramLabel = "FILE|DIR",
            description = "Rule files, YAML (.yaml, .yml) or DRL (.drl), or directories of them (their rule files, "
                    + "subdirectories included, by path), "
                    + "loaded after the default pack. Repeatable.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--no-default-rules", description = "Do not load the shipped rule pack.")
    boolean noDefaultRules;

    @Option(names = "--skip-unsupported", description = "Leave out (with a warning naming them) the YAML rules whose "
            + "conditions need a Falco field that cannot be filled here, instead of failing.")
    boolean skipUnsupported;

    @Option(names = "--rule-cache", paramLabel = "DIR", defaultValue = "/var/cache/eunomia/rules",
            description = "Keep compiled rule sets here (created 0700; ignored unless owned by this user and private),"
                    + " so a restart with the same rules skips the compiler. Default: ${DEFAULT-VALUE}.")
    Path ruleCache;

    @Option(names = "--no-rule-cache", description = "Compile the rules at every start and reload.")
    boolean noRuleCache;

    @Option(names = "--format", paramLabel = "text|json|csv", defaultValue = "text", converter = Converters.Format.class,
            description = "Alerts on stdout as text, JSON lines or CSV (RFC 4180, with a header). Default: ${DEFAULT-VALUE}.")
    AlertFormat format;

    @Option(names = "--output-file", paramLabel = "PATH", description = "Also write alerts to this file (rotated).")
    Path outputFile;

    @Option(names = "--output-file-format", paramLabel = "text|json|csv", defaultValue = "json",
            converter = Converters.Format.class,
            description = "The file's format: JSON lines, text or CSV (a header starts every file). Default: ${DEFAULT-VALUE}.")
    AlertFormat outputFileFormat;

    @Option(names = "--output-file-max-age", paramLabel = "DURATION", defaultValue = "0", converter = Converters.DurationOrZero.class,
            description = "Also rotate the file when its first alert is this old (e.g. 24h), checked at each alert; "
                    + "0 = by size only. Default: ${DEFAULT-VALUE}.")
    Duration outputFileMaxAge;

    @Option(names = "--output-file-max-mb", paramLabel = "MB", defaultValue = "100", converter = Converters.Positive.class,
            description = "Rotate the file at this size. Default: ${DEFAULT-VALUE}.")
    long outputFileMaxMb;

    @Option(names = "--output-file-keep", paramLabel = "N", defaultValue = "5", converter = Converters.PositiveOrZero.class,
            description = "Rotated files kept. Default: ${DEFAULT-VALUE}.")
    int outputFileKeep;

    @Option(names = "--aggregate", paramLabel = "SECONDS", defaultValue = "10", converter = Converters.SecondsOrZero.class,
            description = "Identical alerts (rule, container, output) within this window are reported once, then "
                    + "summarised; 0 = off. Default: ${DEFAULT-VALUE}.")
    double aggregateSeconds;

    @Option(names = "--metrics-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
            converter = Converters.Metrics.class,
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (0.0.0.0:9464 for a remote Prometheus; "
                    + "port 0 picks one). Default: ${DEFAULT-VALUE}.")
    InetSocketAddress metricsAddress;

    @Option(names = "--no-metrics", description = "Do not serve /metrics.")
    boolean noMetrics;

    @Option(names = "--ring-mib", paramLabel = "MIB", defaultValue = "4", converter = Converters.RingMib.class,
            description = "The ring buffer all sensors share, in MiB: a power of two from 1 to 1024. The kernel maps its "
                    + "pages twice (4 MiB cost 8 MiB of memory); a burst beyond what it holds (4 MiB: ~1.8 s at 15k "
                    + "events/s) is counted as dropped. Default: ${DEFAULT-VALUE}.")
    int ringMiB;

    @Option(names = "--alertmanager", paramLabel = "URL", converter = Converters.Alertmanager.class,
            description = "Push alerts to this Alertmanager (repeatable: sent to every one), e.g. http://127.0.0.1:9093")
    List<URI> alertmanagers = new ArrayList<>();

    @Option(names = "--alert-expiry", paramLabel = "SECONDS", defaultValue = "300", converter = Converters.Positive.class,
            description = "endsAt of pushed alerts: this long after the last occurrence. Default: ${DEFAULT-VALUE}.")
    long alertExpirySeconds;

    @Option(names = "--control-socket", paramLabel = "PATH",
            description = "Serve the control API (eunomia ctl; curl --unix-socket) on this unix socket, mode 0600 in a 0700 "
                    + "directory, for root only. Default: " + "/run/eunomia/eunomia.sock (skipped with a warning when another "
                    + "monitor serves it).")
    Path controlSocket;

    @Option(names = "--control-listen", paramLabel = "HOST:PORT",
            description = "Serve the control API on loopback TCP instead (127.0.0.1:PORT), each request with the bearer "
                    + "token of --control-token-file.")
    String controlListen;

    @Option(names = "--control-token-file", paramLabel = "FILE",
            description = "The token --control-listen requires (a file only its owner can read: chmod 600).")
    Path controlTokenFile;

    @Option(names = "--no-control", description = "Do not serve the control API.")
    boolean noControl;

    @Option(names = "--learn-dir", paramLabel = "DIR", defaultValue = "/var/lib/eunomia/profiles",
            description = "Where containers learned through the control API (eunomia ctl learn start|stop) get their "
                    + "profiles. Default: ${DEFAULT-VALUE}.")
    Path learnDir;

    @Option(names = "--learn-checkpoint", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "How often profiles being learned are written (atomically). Default: ${DEFAULT-VALUE}.")
    Duration learnCheckpoint;

    private ControlServer.Endpoint controlEndpoint;

    @Option(names = "--duration", paramLabel = "SECONDS", converter = Converters.Seconds.class,
            description = "Stop after this many seconds (default: until Ctrl-C or SIGTERM).")
    Double durationSeconds;

    @Option(names = "--profiles", paramLabel = "DIR",
            description = "Watch containers with their learned profiles (the profile files of DIR, matched to containers "
                    + "by name or image, also to containers that start later); violations are alerts.")
    Path profilesDir;

    @picocli.CommandLine.Mixin
    EnforcementOptions enforcement = new EnforcementOptions();

    @picocli.CommandLine.Mixin
    Compat32Option compat32 = new Compat32Option();

    /** The profiles to enforce, from the command line (none: no enforcement). */
    protected List<ProfileTarget> profileTargets() throws ProfileTargets.ProfileLoadException {
        return profilesDir == null ? List.of() : ProfileTargets.fromDirectory(profilesDir);
    }

    /** Only profile enforcement: its sensor alone, only violations into the rules (eunomia enforce). */
    protected boolean profilesOnly() {
        return false;
    }

    @Override
    public Integer call() throws Exception {
        MonitorSettings settings = settings();
        FilterMode filterMode = filterMode();
        controlEndpoint = ControlEndpoints.endpoint(this);
        List<ProfileTarget> targets = profiles();
        ProfileEnforcer.Settings enforcing = targets.isEmpty() ? null : enforcement.settings(spec);
        if (enforcing != null && enforcing.update() && targets.stream().anyMatch(t -> t.updatable().isEmpty())) {
            throw new CommandFailure(Main.EXIT_USAGE, "--update writes each profile back to its file: "
                    + "give one profile file per container, not several merged ones");
        }
        PrintWriter err = spec.commandLine().getErr();
        try (MonitorLock.Result lock = MonitorLock.acquire(MonitorLock.path())) {
            lock.otherMonitor().ifPresent(other -> err.println("eunomia: WARNING: " + other
                    + ": each monitor reports every alert, so alerts will appear twice; stop one unless you mean to run both"));
            return monitor(settings, filterMode, targets, enforcing, err);
        }
    }

    private static FilterMode filterMode() {
        String given = System.getProperty(SESSION_FILTER_PROPERTY);
        try {
            return given == null ? FilterMode.DIRECT : FilterMode.parse(given, "-D" + SESSION_FILTER_PROPERTY);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(Main.EXIT_USAGE, e.getMessage());
        }
    }

    /** Runs until stopped. */
    private int monitor(MonitorSettings settings, FilterMode filterMode, List<ProfileTarget> targets, ProfileEnforcer.Settings enforcing,
                        PrintWriter err) throws Exception {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // What the user pointed at comes first: a taken port or an unwritable file fails in a moment.
        MetricsServer metrics = settings.metrics().map(at -> MonitorMetrics.serve(at, registry)).orElse(null);
        MonitorOutputs outputs;
        try {
            outputs = MonitorOutputs.open(new MonitorOutputs.Spec(settings.stdoutFormat(), settings.outputFile(),
                    settings.outputFileFormat(), new RotatingFileWriter.Policy(settings.outputFileMaxMb() << 20,
                    settings.outputFileMaxAge(), settings.outputFileKeep()), settings.alertmanagers(), settings.alertExpiry()));
        } catch (RuntimeException e) {
            closeQuietly(metrics);
            throw e;
        }
        RecentAlerts recent = new RecentAlerts(RecentAlerts.DEFAULT_CAPACITY);
        MeteredOutput output = new MeteredOutput(new Outputs(List.of(outputs.all(), recent)), registry);
        RuleCache cache = settings.ruleCache().map(RuleCache::directory).orElse(RuleCache.NONE);
        RuleLoader loader = new RuleLoader(settings.rules(), settings.defaultRules(), sources -> RuleCompiler.compile(sources, cache, skipUnsupported));
        Monitor monitor;
        // bench/run.sh --part workloads --idle-seconds: the monitor's own timers and wake-ups on a host where
        // nothing happens, measured on a shared one by watching only an empty mount namespace (bench/README.md).
        long onlyMntns = Long.getLong(ONLY_MNTNS_PROPERTY, 0);
        int ringBytes = RingSize.bytes(settings.ringMiB());
        UnaryOperator<SensorOptions> sized = o -> {
            SensorOptions r = o.withRingBufferBytes(ringBytes);
            return onlyMntns > 0 ? r.withMntns(onlyMntns) : r;
        };
        Predicate<Event> direct = e -> true;
        UnaryOperator<SensorOptions> enforcePlan = UnaryOperator.identity();
        if (enforcing != null) {
            // Violations reach the rules through the enforcer, which names their profile.
            direct = e -> !(e instanceof ViolationEvent);
            enforcePlan = profilesOnly() ? o -> o.withSensors(EnumSet.of(Sensor.ENFORCE)) : o -> o.withSensors(with(o.sensors(), Sensor.ENFORCE));
        }
        // Composed, not replaced: enforcing keeps the ring size and the scope.
        UnaryOperator<SensorOptions> sensorsChosen = enforcePlan;
        UnaryOperator<SensorOptions> plan = o -> sized.apply(sensorsChosen.apply(o));
        try {
            monitor = Monitor.start(loader, output, Pipeline.Settings.defaults().withAggregationWindow(settings.aggregation()).withFilter(filterMode),
                    o -> compat32.apply(plan.apply(o)), direct);
        } catch (RuleCompileException e) {
            output.close();
            closeQuietly(metrics);
            err.println("eunomia: the rules cannot be loaded:");
            e.errors().forEach(x -> err.println("  " + x));
            return EXIT_RULES;
        } catch (RuntimeException e) {
            output.close();
            closeQuietly(metrics);
            throw e;
        }
        ProfileMetrics profileMetrics = new ProfileMetrics(registry);
        ProfileEnforcer enforcer = null;
        if (enforcing != null) {
            profileMetrics.preregister(targets);
            try {
                enforcer = ProfileEnforcer.start(monitor.sensors(), targets, enforcing, monitor.pipeline()::offer,
                        profileMetrics::watching);
            } catch (RuntimeException e) {
                monitor.close();
                output.close();
                closeQuietly(metrics);
                throw e;
            }
            profileMetrics.bind(enforcer);
        }
        if (metrics != null) {
            MonitorMetrics.bind(registry, monitor, outputs, output);
        }
        ControlServer control;
        LiveLearning learning = new LiveLearning(monitor.sensors(), ContainerSources.defaults(), learnDir, learnCheckpoint);
        try {
            control = ControlEndpoints.start(this, controlEndpoint, new ControlApi(new MonitorControls(monitor, enforcer, outputs,
                    recent, learning), recent.capacity()), err);
        } catch (RuntimeException e) {
            if (enforcer != null) {
                enforcer.close();
            }
            monitor.close();
            output.close();
            closeQuietly(metrics);
            throw e;
        }
        Hangup.onHangup(() -> monitor.reloader().reload("SIGHUP"));
        try {
            monitor.watchRuleFiles(loader);
        } catch (java.io.IOException e) {
            err.println("eunomia: WARNING: rule files are not watched (" + e.getMessage() + "); kill -HUP still reloads them");
        }
        // Start-up's garbage (rule build, BPF object loading, the first container scan) was promoted to the
        // old generation, ~3x what the monitor keeps: one full collection now lets the heap give it back
        // (MaxHeapFreeRatio and -ShrinkHeapInSteps in EUNOMIA_JVM_FLAGS: with Serial's default damping this first
        // collection shrinks nothing), or the old generation stays that size (RSS, bench/README.md).
        System.gc();
        HeapGiveBack heapGiveBack = HeapGiveBack.start();   // and after a burst's garbage later (it says why)
        LossWarnings lossWarnings = LossWarnings.start(monitor.sensors()::lostBySensor, () -> monitor.pipeline().stats().dropped());
        if (metrics != null) {
            heapGiveBack.bindTo(registry);
        }
        printReady(err, monitor.startup(), metrics, (enforcer == null ? "" : "; " + describe(enforcing, targets, enforcer))
                + (control == null ? "" : "; control on " + control.where()));
        StopSignal stop = new StopSignal(Duration.ofSeconds(15));
        if (durationSeconds != null) {
            stop.await(Math.round(durationSeconds * 1000), TimeUnit.MILLISECONDS);
        } else {
            stop.await();
        }
        heapGiveBack.close();
        lossWarnings.close();
        if (control != null) {
            control.close();
        }
        learning.close();   // writes what is being learned a last time
        if (enforcer != null) {
            enforcer.close();
        }
        monitor.stop();
        StreamStats sensorStats = monitor.sensors().stats();
        try {
            output.close();
        } catch (RuntimeException e) {
            err.println("eunomia: closing the outputs failed: " + e);   // the sensors are detached all the same
        }
        if (metrics != null) {
            metrics.close();
        }
        Pipeline.Stats p = monitor.pipeline().stats();
        err.printf("eunomia: %d events received, %d into the rule session, %d skipped (no rule could match them), %d dropped (queue full), %d lost in kernel; %d alerts raised%n",
                sensorStats.totalDelivered(), p.inserted(), p.skipped(), p.dropped(), sensorStats.totalLost(), p.alerts());
        err.flush();
        monitor.closeInBackground();
        stop.close();
        return 0;
    }

    private static void closeQuietly(MetricsServer metrics) {
        if (metrics != null) {
            metrics.close();
        }
    }

    /** The command line over the configuration file over the defaults. */
    private MonitorSettings settings() throws ConfigException {
        MonitorSettings fromCommandLine = new MonitorSettings(rules, !noDefaultRules,
                noRuleCache ? Optional.empty() : Optional.of(ruleCache), format, Optional.ofNullable(outputFile),
                outputFileFormat, outputFileMaxMb, outputFileMaxAge, outputFileKeep, MonitorSettings.seconds(aggregateSeconds),
                noMetrics ? Optional.empty() : Optional.of(metricsAddress), alertmanagers, Duration.ofSeconds(alertExpirySeconds),
                ringMiB);
        MonitorSettings s = fromCommandLine;
        if (config != null) {
            EngineConfig file = ConfigLoader.load(config);
            Set<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(o -> o.longestName()).collect(Collectors.toSet());
            s = fromCommandLine.withFile(file, given);
        }
        if (!s.defaultRules() && s.rules().isEmpty()) {
            throw new CommandFailure(Main.EXIT_USAGE, "no rules to run: without the default pack (--no-default-rules"
                    + (config == null ? "" : " or rules.defaults: false") + ") give at least one --rules FILE|DIR"
                    + (config == null ? "" : " (or rules.paths)"));
        }
        return s;
    }

    /** The profiles to enforce, checked; a file that is not a profile is a usage error naming file:line:column. */
    private List<ProfileTarget> profiles() {
        List<ProfileTarget> targets;
        try {
            targets = profileTargets();
            ProfileEnforcer.check(targets);
        } catch (ProfileTargets.ProfileLoadException | IllegalArgumentException e) {
            throw new CommandFailure(Main.EXIT_USAGE, e.getMessage());
        }
        if (targets.isEmpty() && enforcement.anyGiven()) {
            throw new CommandFailure(Main.EXIT_USAGE, "--mode, --kill and --update need profiles (--profiles DIR)");
        }
        return targets;
    }

    private static Set<Sensor> with(Set<Sensor> sensors, Sensor more) {
        EnumSet<Sensor> out = EnumSet.of(more);
        out.addAll(sensors);
        return out;
    }

    private static String describe(ProfileEnforcer.Settings s, List<ProfileTarget> targets, ProfileEnforcer e) {
        String kill = s.killing().isEmpty() ? "" : ", kill on " + s.killing().stream().map(ViolationKind::cliName)
                .collect(Collectors.joining(","));
        int watching = e.watched().size();
        return s.mode().cliName() + " mode with " + targets.size() + (targets.size() == 1 ? " profile" : " profiles")
                + kill + (s.update() ? ", accepting violations into the profile files" : "")
                + " (watching " + watching + " running " + (watching == 1 ? "container" : "containers")
                + " now; new containers are recorded from their first syscall and judged when matched)";
    }

    private static void printReady(PrintWriter err, Monitor.Startup s, MetricsServer metrics, String enforcing) {
        long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        String reads = !s.sensors().contains(Sensor.FILE) ? "" : s.fileReads().all() ? " (file reads: all)"
                : " (file reads: " + s.fileReads().prefixes().size() + " paths the rules read)";
        err.printf("eunomia: monitoring with %d rules, sensors: %s%s, ready in %d ms (rules built or loaded in %d ms, "
                        + "sensors attached in %d ms)%s%s%n",
                s.rules(), s.sensors().stream().map(Sensor::objectName).collect(Collectors.joining(",")), reads, sinceJvmStart,
                s.compileMillis(), s.sensorsMillis(), enforcing, metrics == null ? ""
                        : "; metrics on http://" + metrics.address().getHostString() + ":" + metrics.address().getPort() + "/metrics");
        err.flush();
    }
}
