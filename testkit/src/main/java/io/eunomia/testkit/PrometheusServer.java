package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus (Debian's prometheus) on 127.0.0.1 with private storage, scraping one target
 * as job "eunomia" every second, evaluating the given rule files every second and sending alerts
 * to one Alertmanager. Its port is the one it binds and reports ({@link ListeningServer}).
 */
public final class PrometheusServer implements AutoCloseable {
    private final Path dir;
    private int port;
    private ServerProcess process;

    private PrometheusServer(Path dir) {
        this.dir = dir;
    }

    /**
     * @param target       HOST:PORT of the /metrics to scrape
     * @param ruleFiles    alerting rule files to load
     * @param alertmanager HOST:PORT of the Alertmanager to notify
     */
    public static PrometheusServer start(String target, List<Path> ruleFiles, String alertmanager) {
        return start(target, ruleFiles, alertmanager, 0);
    }

    /** The same, asking for firstPort first (another one, that the server picks and reports, when it is taken). */
    static PrometheusServer start(String target, List<Path> ruleFiles, String alertmanager, int firstPort) {
        Path binary = Binaries.require("prometheus", "prometheus");
        Path dir = Cleanup.newTempDir("prom");
        StringBuilder rules = new StringBuilder();
        for (Path r : ruleFiles) {
            rules.append("  - '").append(r.toAbsolutePath()).append("'\n");
        }
        try {
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files:
                    %s
                    alerting:
                      alertmanagers:
                        - static_configs:
                            - targets: ['%s']
                    scrape_configs:
                      - job_name: eunomia
                        static_configs:
                          - targets: ['%s']
                    """.formatted(rules, alertmanager, target));
        } catch (IOException e) {
            Cleanup.unmountAndDelete(dir);
            throw new UncheckedIOException(e);
        }
        PrometheusServer s = new PrometheusServer(dir);
        try {
            ListeningServer.Started started = ListeningServer.start("prometheus", p -> new ProcessBuilder(List.of(binary.toString(),
                    "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + p)), dir.resolve("prometheus.log"), firstPort, true, "/-/ready",
                    Duration.ofMinutes(2)); // a Go server starting on a loaded machine
            s.process = started.process();
            s.port = started.port();
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public boolean ready() {
        return Procs.httpOk(url() + "/-/ready");
    }

    public String log() {
        return Cmd.read(dir.resolve("prometheus.log"));
    }

    @Override
    public void close() {
        if (process != null) {
            process.stop(Duration.ofSeconds(10));
        }
        Cleanup.unmountAndDelete(dir);
    }
}
