package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs an {@link AlertWriter} on its own thread behind a bounded queue, so a slow or failing
 * destination never stalls the pipeline: a full queue drops the alert (counted), a failed write
 * is retried with backoff and then given up (counted).
 */
public final class QueuedOutput implements AlertOutput {
    private static final System.Logger LOG = System.getLogger(QueuedOutput.class.getName());

    /** Counters of one output: alerts written, dropped on a full queue, given up after retries. */
    public record Stats(long written, long dropped, long failed) {}

    private final String name;
    private final AlertWriter writer;
    private final ArrayBlockingQueue<Alert> queue;
    private final int retries;
    private final long backoffMillis;
    private final Thread thread;
    private final LongAdder written = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile boolean running = true;

    /**
     * @param retries       further attempts after a failed write
     * @param backoffMillis wait before the first retry; doubles for each next one
     */
    public QueuedOutput(String name, AlertWriter writer, int capacity, int retries, long backoffMillis) {
        this.name = name;
        this.writer = writer;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.retries = retries;
        this.backoffMillis = backoffMillis;
        this.thread = Thread.ofPlatform().name("eunomia-output-" + name).daemon().start(this::loop);
    }

    public QueuedOutput(String name, AlertWriter writer) {
        this(name, writer, 10_000, 3, 100);
    }

    @Override
    public void emit(Alert alert) {
        if (!running || !queue.offer(alert)) {
            dropped.increment();
        }
    }

    /** The output's name in logs and metrics ("stdout", "file"). */
    public String name() {
        return name;
    }

    public Stats stats() {
        return new Stats(written.sum(), dropped.sum(), failed.sum());
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, "output {0}: {1} alerts not delivered at shutdown", name, queue.size());
            thread.interrupt();
        }
        try {
            writer.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "output {0}: close failed: {1}", name, e.getMessage());
        }
    }

    private void loop() {
        try {
            while (running || !queue.isEmpty()) {
                Alert a = queue.poll(100, TimeUnit.MILLISECONDS);
                if (a != null) {
                    deliver(a);
                }
                if (queue.isEmpty()) {
                    flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Alert a) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                writer.write(a);
                written.increment();
                return;
            } catch (IOException | RuntimeException e) {
                if (attempt >= retries) {
                    failed.increment();
                    LOG.log(Level.WARNING, "output {0}: alert from rule ''{1}'' lost after {2} attempts: {3}",
                            name, a.rule(), attempt + 1, e.toString());
                    return;
                }
                Thread.sleep(backoffMillis << attempt);
            }
        }
    }

    private void flush() {
        try {
            writer.flush();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "output {0}: flush failed: {1}", name, e.getMessage());
        }
    }
}
