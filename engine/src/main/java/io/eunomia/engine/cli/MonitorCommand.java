package io.eunomia.engine.cli;

import io.eunomia.bpf.Sensor;
import io.eunomia.engine.output.AlertFormat;
import io.eunomia.engine.output.AlertOutput;
import io.eunomia.engine.output.Outputs;
import io.eunomia.engine.output.RotatingFileWriter;
import io.eunomia.engine.output.StreamWriter;
import io.eunomia.engine.pipeline.Monitor;
import io.eunomia.engine.pipeline.Pipeline;
import io.eunomia.engine.pipeline.RuleLoader;
import io.eunomia.rules.RuleCache;
import io.eunomia.rules.RuleCompiler;
import io.eunomia.event.StreamStats;
import io.eunomia.rules.RuleCompileException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code eunomia monitor}: live monitoring with the rules, until Ctrl-C. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Watch the host and its containers with security rules and print alerts.",
                "SIGHUP, or a change to a --rules file, reloads the rules; rules that do not compile are "
                        + "reported with file:line and the running ones stay."})
public final class MonitorCommand implements Callable<Integer> {
    /** Exit code when the rules do not compile. */
    public static final int EXIT_RULES = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (YAML: rules, outputs, metrics); options given on the command line win.")
    Path config;

    @Option(names = "--rules", paramLabel = "FILE|DIR",
            description = "Rule files (.drl; a directory: its rule files by name), loaded after the default pack. Repeatable.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--no-default-rules", description = "Do not load the shipped rule pack.")
    boolean noDefaultRules;

    @Option(names = "--rule-cache", paramLabel = "DIR", defaultValue = "/var/cache/eunomia/rules",
            description = "Keep compiled rule sets here (created 0700; ignored unless owned by this user and private),"
                    + " so a restart with the same rules skips the compiler. Default: ${DEFAULT-VALUE}.")
    Path ruleCache;

    @Option(names = "--no-rule-cache", description = "Compile the rules at every start and reload.")
    boolean noRuleCache;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Alerts on stdout as text or JSON lines.")
    String format;

    @Option(names = "--output-file", paramLabel = "PATH", description = "Also write alerts as JSON lines to this file (rotated).")
    Path outputFile;

    @Option(names = "--output-file-max-mb", paramLabel = "MB", defaultValue = "100", description = "Rotate the file at this size.")
    long outputFileMaxMb;

    @Option(names = "--output-file-keep", paramLabel = "N", defaultValue = "5", description = "Rotated files kept.")
    int outputFileKeep;

    @Option(names = "--aggregate", paramLabel = "SECONDS", defaultValue = "10",
            description = "Identical alerts (rule, container, output) within this window are reported once, then summarised; 0 = off.")
    double aggregateSeconds;

    @Option(names = "--metrics-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (default 127.0.0.1:9464; port 0 picks one).")
    String metricsAddress;

    @Option(names = "--no-metrics", description = "Do not serve /metrics.")
    boolean noMetrics;

    @Option(names = "--alertmanager", paramLabel = "URL",
            description = "Push alerts to this Alertmanager (repeatable: sent to every one), e.g. http://127.0.0.1:9093")
    List<java.net.URI> alertmanagers = new ArrayList<>();

    @Option(names = "--alert-expiry", paramLabel = "SECONDS", defaultValue = "300",
            description = "endsAt of pushed alerts: this long after the last occurrence (default 300).")
    long alertExpirySeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Double durationSeconds;

    private java.net.InetSocketAddress parseAddress(String text) {
        try {
            return ListenAddress.parse("--metrics-address", text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Fills what the command line left unsaid from the configuration file. */
    private void applyConfig(io.eunomia.engine.config.EngineConfig c) {
        var given = spec.commandLine().getParseResult();
        if (c.rules() != null) {
            // A list given on the command line replaces the file's: the command line wins.
            if (c.rules().paths() != null && !given.hasMatchedOption("--rules")) {
                List<Path> merged = new ArrayList<>(c.rules().paths().stream().map(Path::of).toList());
                merged.addAll(rules);
                rules = merged;
            }
            if (c.rules().defaults() != null && !given.hasMatchedOption("--no-default-rules")) {
                noDefaultRules = !c.rules().defaults();
            }
            if (c.rules().cache() != null && !given.hasMatchedOption("--rule-cache") && !given.hasMatchedOption("--no-rule-cache")) {
                if (c.rules().cache().equals("off")) {
                    noRuleCache = true;
                } else {
                    ruleCache = Path.of(c.rules().cache());
                }
            }
        }
        if (c.outputs() != null) {
            if (c.outputs().stdout() != null && c.outputs().stdout().format() != null && !given.hasMatchedOption("--format")) {
                format = c.outputs().stdout().format();
            }
            var f = c.outputs().file();
            if (f != null) {
                if (f.path() != null && outputFile == null) {
                    outputFile = Path.of(f.path());
                }
                if (f.maxMb() != null && !given.hasMatchedOption("--output-file-max-mb")) {
                    outputFileMaxMb = f.maxMb();
                }
                if (f.keep() != null && !given.hasMatchedOption("--output-file-keep")) {
                    outputFileKeep = f.keep();
                }
            }
            var a = c.outputs().alertmanager();
            if (a != null) {
                if (a.urls() != null && !given.hasMatchedOption("--alertmanager")) {
                    for (String u : a.urls()) {
                        alertmanagers.add(java.net.URI.create(u));
                    }
                }
                if (a.expirySeconds() != null && !given.hasMatchedOption("--alert-expiry")) {
                    alertExpirySeconds = a.expirySeconds();
                }
            }
        }
        if (c.metrics() != null) {
            if (c.metrics().address() != null && !given.hasMatchedOption("--metrics-address")) {
                metricsAddress = c.metrics().address();
            }
            if (Boolean.FALSE.equals(c.metrics().enabled()) && !given.hasMatchedOption("--metrics-address")) {
                noMetrics = true;
            }
        }
        if (c.aggregateSeconds() != null && !given.hasMatchedOption("--aggregate")) {
            aggregateSeconds = c.aggregateSeconds();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (config != null) {
            try {
                applyConfig(io.eunomia.engine.config.ConfigLoader.load(config));
            } catch (io.eunomia.engine.config.ConfigException e) {
                spec.commandLine().getErr().println("eunomia: " + e.getMessage());
                return io.eunomia.engine.Main.EXIT_USAGE;
            }
        }
        AlertFormat fmt;
        try {
            fmt = AlertFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be text or json, not '" + format + "'");
        }
        if (noDefaultRules && rules.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--no-default-rules needs at least one --rules FILE|DIR");
        }
        List<AlertOutput> outs = new ArrayList<>();
        outs.add(StreamWriter.stdout(fmt));
        if (outputFile != null) {
            outs.add(RotatingFileWriter.output(outputFile, outputFileMaxMb << 20, outputFileKeep));
        }
        java.net.InetSocketAddress metricsAt = noMetrics ? null : parseAddress(metricsAddress);
        for (java.net.URI u : alertmanagers) {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new ParameterException(spec.commandLine(), "--alertmanager '" + u
                        + "' is not a URL: expected http(s)://HOST:PORT, e.g. http://127.0.0.1:9093");
            }
        }
        io.eunomia.engine.alertmanager.AlertmanagerOutput am = null;
        if (!alertmanagers.isEmpty()) {
            am = new io.eunomia.engine.alertmanager.AlertmanagerOutput(alertmanagers,
                    Duration.ofSeconds(alertExpirySeconds), io.eunomia.engine.alertmanager.AlertmanagerSender.Settings.defaults());
            outs.add(am);
        }
        var registry = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        var output = new io.eunomia.engine.metrics.MeteredOutput(new Outputs(outs), registry);
        RuleCache cache = noRuleCache ? RuleCache.NONE : RuleCache.directory(ruleCache);
        RuleLoader loader = new RuleLoader(rules, !noDefaultRules, sources -> RuleCompiler.compile(sources, cache));
        Pipeline.Settings settings = Pipeline.Settings.defaults()
                .withAggregationWindow(Duration.ofMillis((long) (aggregateSeconds * 1000)));
        var err = spec.commandLine().getErr();
        Monitor monitor;
        try {
            monitor = Monitor.start(loader, output, settings, o -> o);
        } catch (RuleCompileException e) {
            output.close();
            err.println("eunomia: the rules do not compile:");
            e.errors().forEach(x -> err.println("  " + x));
            return EXIT_RULES;
        } catch (RuntimeException e) {
            output.close();
            throw e;
        }
        io.eunomia.engine.metrics.MetricsServer metrics = null;
        if (metricsAt != null) {
            new io.eunomia.engine.metrics.SensorMetrics(monitor.sensors()).bindTo(registry);
            new io.eunomia.engine.metrics.PipelineMetrics(monitor.pipeline(), outs.stream()
                    .filter(o -> o instanceof io.eunomia.engine.output.QueuedOutput)
                    .map(o -> (io.eunomia.engine.output.QueuedOutput) o).toList()).bindTo(registry);
            new io.eunomia.engine.metrics.BuildInfo().bindTo(registry);
            monitor.pipeline().onRules(output::preregister);
            if (am != null) {
                am.bindTo(registry);
            }
            try {
                metrics = io.eunomia.engine.metrics.MetricsServer.start(metricsAt, registry);
            } catch (java.io.IOException e) {
                monitor.close();
                output.close();
                throw new ParameterException(spec.commandLine(), "cannot serve metrics on " + metricsAddress + ": "
                        + e.getMessage() + " (choose another --metrics-address, or --no-metrics)");
            }
        }
        Hangup.onHangup(() -> monitor.reloader().reload("SIGHUP"));
        monitor.watchRuleFiles(loader);
        Monitor.Startup s = monitor.startup();
        long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        err.printf("eunomia: monitoring with %d rules, sensors: %s%s, ready in %d ms (rules built or loaded in %d ms, sensors attached in %d ms)%s%n",
                s.rules(), s.sensors().stream().map(Sensor::objectName).collect(Collectors.joining(",")),
                !s.sensors().contains(Sensor.FILE) ? "" : s.fileReads().all() ? " (file reads: all)"
                        : " (file reads: " + s.fileReads().prefixes().size() + " paths the rules read)", sinceJvmStart,
                s.compileMillis(), s.sensorsMillis(),
                metrics == null ? "" : "; metrics on http://" + metrics.address().getHostString() + ":" + metrics.address().getPort() + "/metrics");
        err.flush();

        StopSignal stop = new StopSignal(Duration.ofSeconds(15));
        if (durationSeconds != null) {
            stop.await((long) (durationSeconds * 1000), TimeUnit.MILLISECONDS);
        } else {
            stop.await();
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
        err.printf("eunomia: %d events received, %d into rules, %d dropped (queue full), %d lost in kernel; %d alerts raised%n",
                sensorStats.totalDelivered(), p.inserted(), p.dropped(), sensorStats.totalLost(), p.alerts());
        err.println("eunomia: detaching the sensors...");
        err.flush();
        monitor.close();
        stop.close();
        return 0;
    }
}
