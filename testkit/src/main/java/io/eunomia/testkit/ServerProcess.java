package io.eunomia.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A local server that a test or benchmark starts (nginx, Prometheus, Alertmanager, containerd):
 * stdin from /dev/null, its output appended to a log file (appended, so a server that writes the
 * same file itself, as nginx's error log, keeps its lines), awaited until it answers, stopped with
 * SIGTERM and, after a grace period, SIGKILL for it and what it started.
 *
 * @param name what errors call it (e.g. "prometheus")
 * @param log  where its output goes
 */
public record ServerProcess(String name, Process process, Path log) {
    private static final int LOG_TAIL_CHARS = 4000;

    /** Starts the command of builder (its environment and directory as set there). */
    public static ServerProcess start(String name, ProcessBuilder builder, Path log) {
        try {
            Process p = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new ServerProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + builder.command().getFirst() + ")", e);
        }
    }

    /**
     * Waits until ready says so. When the server exits first or timeout passes, it is stopped and
     * an IllegalStateException says which, with its log's tail.
     */
    public ServerProcess awaitReady(BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                stop(Duration.ofSeconds(5));
                throw new IllegalStateException(name + " did not answer within " + timeout + ":\n" + logTail());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                stop(Duration.ofSeconds(5));
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        return this;
    }

    /** The log's last 4000 characters. */
    public String logTail() {
        String text = Cmd.read(log);
        return text.length() > LOG_TAIL_CHARS ? text.substring(text.length() - LOG_TAIL_CHARS) : text;
    }

    /** SIGTERM; after grace SIGKILL to what it started and to it, then up to 5 s for it to go. */
    public void stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
