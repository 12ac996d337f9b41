package io.eunomia.engine.config;

import io.eunomia.engine.alertmanager.AlertmanagerUrl;
import io.eunomia.engine.output.AlertFormat;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code eunomia monitor} runs with: the command line's options over the configuration
 * file's values over the defaults.
 *
 * @param rules          the user's rule files and directories, after the default pack
 * @param defaultRules   whether the default pack is loaded
 * @param ruleCache      where compiled rule sets are kept; empty = compile at every start
 * @param stdoutFormat   alerts on stdout
 * @param outputFile     also alerts to this file (outputFileFormat), rotated at outputFileMaxMb or when
 *                       older than outputFileMaxAge (zero: not by age), keeping outputFileKeep
 * @param aggregation    identical alerts within this window are reported once, then summarised
 * @param metrics        where /metrics is served; empty = not served
 * @param alertmanagers  every alert goes to each
 * @param alertExpiry    endsAt of pushed alerts, after the last occurrence
 * @param ringMiB        the shared ring buffer's size in MiB ({@link RingSize})
 */
public record MonitorSettings(List<Path> rules, boolean defaultRules, Optional<Path> ruleCache, AlertFormat stdoutFormat,
                              Optional<Path> outputFile, AlertFormat outputFileFormat, long outputFileMaxMb,
                              Duration outputFileMaxAge, int outputFileKeep, Duration aggregation,
                              Optional<InetSocketAddress> metrics, List<URI> alertmanagers, Duration alertExpiry, int ringMiB) {
    public MonitorSettings {
        RingSize.mib(ringMiB);
        rules = List.copyOf(rules);
        alertmanagers = List.copyOf(alertmanagers);
    }

    /**
     * Fills in from the configuration file what the command line did not say.
     *
     * @param given the long names of the options given on the command line ("--rules", ...)
     */
    public MonitorSettings withFile(EngineConfig file, Set<String> given) {
        MonitorSettings s = this;
        var r = file.rules();
        if (r != null) {
            // A list on the command line replaces the file's: the command line wins.
            if (r.paths() != null && !given.contains("--rules")) {
                s = s.with(r.paths().stream().map(Path::of).toList(), s.defaultRules, s.ruleCache);
            }
            if (r.defaults() != null && !given.contains("--no-default-rules")) {
                s = s.with(s.rules, r.defaults(), s.ruleCache);
            }
            if (r.cache() != null && !given.contains("--rule-cache") && !given.contains("--no-rule-cache")) {
                s = s.with(s.rules, s.defaultRules, r.cache().equals("off") ? Optional.empty() : Optional.of(Path.of(r.cache())));
            }
        }
        var o = file.outputs();
        AlertFormat format = s.stdoutFormat;
        Optional<Path> outFile = s.outputFile;
        AlertFormat fileFormat = s.outputFileFormat;
        long maxMb = s.outputFileMaxMb;
        Duration maxAge = s.outputFileMaxAge;
        int keep = s.outputFileKeep;
        List<URI> ams = s.alertmanagers;
        Duration expiry = s.alertExpiry;
        if (o != null) {
            if (o.stdout() != null && o.stdout().format() != null && !given.contains("--format")) {
                format = AlertFormat.parse(o.stdout().format());
            }
            if (o.file() != null) {
                if (o.file().path() != null && !given.contains("--output-file")) {
                    outFile = Optional.of(Path.of(o.file().path()));
                }
                if (o.file().format() != null && !given.contains("--output-file-format")) {
                    fileFormat = AlertFormat.parse(o.file().format());
                }
                if (o.file().maxAgeHours() != null && !given.contains("--output-file-max-age")) {
                    maxAge = Duration.ofSeconds(Math.round(o.file().maxAgeHours() * 3600));
                }
                if (o.file().maxMb() != null && !given.contains("--output-file-max-mb")) {
                    maxMb = o.file().maxMb();
                }
                if (o.file().keep() != null && !given.contains("--output-file-keep")) {
                    keep = o.file().keep();
                }
            }
            if (o.alertmanager() != null) {
                if (o.alertmanager().urls() != null && !given.contains("--alertmanager")) {
                    ams = o.alertmanager().urls().stream().map(AlertmanagerUrl::parse).toList();
                }
                if (o.alertmanager().expirySeconds() != null && !given.contains("--alert-expiry")) {
                    expiry = Duration.ofSeconds(o.alertmanager().expirySeconds());
                }
            }
        }
        Optional<InetSocketAddress> metrics = s.metrics;
        var m = file.metrics();
        boolean metricsGiven = given.contains("--metrics-address") || given.contains("--no-metrics");
        if (m != null && !metricsGiven) {
            if (Boolean.FALSE.equals(m.enabled())) {
                metrics = Optional.empty();
            } else if (m.address() != null) {
                metrics = Optional.of(ListenAddress.parse(m.address()));
            }
        }
        Duration aggregation = s.aggregation;
        if (file.aggregateSeconds() != null && !given.contains("--aggregate")) {
            aggregation = seconds(file.aggregateSeconds());
        }
        int ring = s.ringMiB;
        if (file.ringMiB() != null && !given.contains("--ring-mib")) {
            ring = RingSize.mib(file.ringMiB());
        }
        return new MonitorSettings(s.rules, s.defaultRules, s.ruleCache, format, outFile, fileFormat, maxMb, maxAge, keep,
                aggregation, metrics, ams, expiry, ring);
    }

    private MonitorSettings with(List<Path> newRules, boolean defaults, Optional<Path> cache) {
        return new MonitorSettings(new ArrayList<>(newRules), defaults, cache, stdoutFormat, outputFile, outputFileFormat,
                outputFileMaxMb, outputFileMaxAge, outputFileKeep, aggregation, metrics, alertmanagers, alertExpiry, ringMiB);
    }

    /** Fractional seconds, to the millisecond. */
    public static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
