package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

/**
 * Runs an {@link AlertWriter} behind a {@link DeliveryQueue}, so a slow or failing destination
 * never stalls the pipeline. Alerts are written one by one (a retried batch would write its
 * first alerts twice) and flushed whenever the queue runs empty.
 */
public final class QueuedOutput implements AlertOutput {
    private static final System.Logger LOG = System.getLogger(QueuedOutput.class.getName());

    /** 10,000 alerts queued, 4 attempts 100 ms, 200 ms, 400 ms apart, 5 s to deliver what is queued at close. */
    public static final DeliveryQueue.Settings DEFAULTS = new DeliveryQueue.Settings(10_000, 1, 4, Duration.ofMillis(100),
            Duration.ofSeconds(5), Duration.ofSeconds(5));

    private final String name;
    private final AlertWriter writer;
    private final DeliveryQueue<Alert> queue;

    public QueuedOutput(String name, AlertWriter writer, DeliveryQueue.Settings settings) {
        if (settings.maxBatch() != 1) {
            throw new IllegalArgumentException("an AlertWriter is retried alert by alert: maxBatch must be 1");
        }
        this.name = name;
        this.writer = writer;
        this.queue = new DeliveryQueue<>("output-" + name, new DeliveryQueue.Destination<>() {
            @Override
            public void deliver(List<Alert> batch) throws IOException {
                writer.write(batch.getFirst());
            }

            @Override
            public void idle() throws IOException {
                writer.flush();
            }
        }, settings);
    }

    public QueuedOutput(String name, AlertWriter writer) {
        this(name, writer, DEFAULTS);
    }

    @Override
    public void emit(Alert alert) {
        queue.offer(alert);
    }

    /** The output's name in logs and metrics ("stdout", "file"). */
    public String name() {
        return name;
    }

    public DeliveryQueue.Stats stats() {
        return queue.stats();
    }

    @Override
    public void close() {
        queue.close();
        try {
            writer.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "output {0}: close failed: {1}", name, e.getMessage());
        }
    }
}
