package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1 with a private storage
 * directory, routing every alert to a webhook with {@code group_wait: 0s}. Clustering is off
 * ({@code --cluster.listen-address=}) so it opens no other port. Its port is the one it binds and
 * reports ({@link ListeningServer}: no free port handed over, no race). Can be stopped and started
 * again on the same port, to test senders through an outage.
 */
public final class AlertmanagerServer implements AutoCloseable {
    private final Path binary;
    private final Path dir;
    /** 0 until the first start: the port it then listens on, kept for restarts. */
    private int port;
    private ServerProcess process;

    private AlertmanagerServer(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /** Starts an Alertmanager that sends every alert to webhookUrl at once, on a port it picks and reports. */
    public static AlertmanagerServer start(String webhookUrl) {
        return start(webhookUrl, 0);
    }

    /** The same, asking for firstPort first (another one when it is taken). */
    static AlertmanagerServer start(String webhookUrl, int firstPort) {
        Path binary = Binaries.require("prometheus-alertmanager", "prometheus-alertmanager");
        Path dir = Cleanup.newTempDir("am");
        try {
            Files.writeString(dir.resolve("alertmanager.yml"), """
                    route:
                      receiver: webhook
                      group_by: ['...']
                      group_wait: 0s
                      group_interval: 1s
                      repeat_interval: 1h
                    receivers:
                      - name: webhook
                        webhook_configs:
                          - url: '%s'
                            send_resolved: false
                    """.formatted(webhookUrl));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AlertmanagerServer am = new AlertmanagerServer(binary, dir, firstPort);
        try {
            am.startProcess(true);
        } catch (RuntimeException e) {
            Cleanup.unmountAndDelete(dir);
            throw e;
        }
        return am;
    }

    /** (Re)starts the server process on its port and waits until it is ready. */
    public synchronized void startProcess() {
        startProcess(false);
    }

    /** @param first a first start: a port found taken is given up for one the server picks */
    private synchronized void startProcess(boolean first) {
        if (process != null && process.process().isAlive()) {
            return;
        }
        ListeningServer.Started s = ListeningServer.start("alertmanager", p -> new ProcessBuilder(List.of(binary.toString(),
                "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + p,
                "--cluster.listen-address=")), dir.resolve("alertmanager.log"), port, first, "/-/ready",
                Duration.ofMinutes(2)); // a Go server starting on a loaded machine
        process = s.process();
        port = s.port();
    }

    /** Stops the server process (the port stays reserved for a restart). */
    public synchronized void stopProcess() {
        if (process != null) {
            process.stop(Duration.ofSeconds(10));
            process = null;
        }
    }

    /** http://127.0.0.1:PORT */
    public synchronized String url() {
        return "http://127.0.0.1:" + port;
    }

    public boolean ready() {
        return Procs.httpOk(url() + "/-/ready");
    }

    @Override
    public void close() {
        stopProcess();
        Cleanup.unmountAndDelete(dir);
    }
}
