package io.eunomia.engine.config;

import java.util.List;

/**
 * The engine's configuration file (YAML). Every part is optional; command-line options given
 * explicitly win over the file. Example: policies/eunomia.yaml.
 *
 * @param aggregateSeconds identical alerts within this window are reported once, then summarised
 * @param ringMiB          the shared ring buffer's size in MiB (a power of two, {@link RingSize})
 */
public record EngineConfig(Rules rules, Outputs outputs, Metrics metrics, Double aggregateSeconds, Long ringMiB) {
    public static final EngineConfig EMPTY = new EngineConfig(null, null, null, null, null);

    /**
     * Rule files and directories, loaded after the default pack unless defaults is false; cache:
     * the directory of compiled rule sets ("off": compile at every start).
     */
    public record Rules(List<String> paths, Boolean defaults, String cache) {}

    public record Outputs(Stdout stdout, File file, Alertmanager alertmanager) {}

    /** format: text, json or csv. */
    public record Stdout(String format) {}

    /**
     * Alerts to path in format (text, json or csv; default json), rotated at maxMb or when older
     * than maxAgeHours, keeping keep files.
     */
    public record File(String path, String format, Long maxMb, Double maxAgeHours, Integer keep) {}

    /** Alertmanagers to push to (every one of them), and how long a pushed alert lasts. */
    public record Alertmanager(List<String> urls, Long expirySeconds) {}

    /** Where /metrics is served (HOST:PORT, default 127.0.0.1:9464); enabled false turns it off. */
    public record Metrics(String address, Boolean enabled) {}
}
