package io.eunomia.engine.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Says on the log, while the monitor runs, that events were lost: records the kernel could not
 * deliver (a sensor's ring buffer full: the poller starved of CPU on a loaded host, or a burst
 * faster than it) and events the pipeline's full queue refused. Both are counted in
 * {@code eunomia_dropped_events_total} and in the totals at exit; without this, whoever reads no
 * metrics learns that an alert may have been missed only at exit (at load 30 here the file sensor
 * lost 471k records in two minutes, short containers' alerts among them). Looks every 10 s, warns
 * at most once a minute, with what was lost since the last warning.
 */
public final class LossWarnings implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LossWarnings.class.getName());
    private static final long CHECK_MILLIS = 10_000;
    static final long MIN_INTERVAL_NANOS = 60_000_000_000L;

    private final Thread thread;
    private final Runnable lastLook;

    private LossWarnings(Thread thread, Runnable lastLook) {
        this.thread = thread;
        this.lastLook = lastLook;
    }

    /** Starts looking: kernel losses by sensor, and the pipeline's refused events, both totals since start. */
    public static LossWarnings start(Supplier<Map<String, Long>> kernel, LongSupplier pipeline) {
        Tally tally = new Tally(kernel.get(), pipeline.getAsLong());
        Thread t = Thread.ofPlatform().name("eunomia-losses").daemon().start(() -> {
            try {
                while (true) {
                    Thread.sleep(CHECK_MILLIS);
                    synchronized (tally) {
                        tally.look(kernel.get(), pipeline.getAsLong(), System.nanoTime(), false)
                                .ifPresent(w -> LOG.log(System.Logger.Level.WARNING, w));
                    }
                }
            } catch (InterruptedException closed) {
                // closed
            }
        });
        // At stop: what was lost since the last warning is said whatever the interval, before the totals.
        Runnable last = () -> {
            synchronized (tally) {
                tally.look(kernel.get(), pipeline.getAsLong(), System.nanoTime(), true)
                        .ifPresent(w -> LOG.log(System.Logger.Level.WARNING, w));
            }
        };
        return new LossWarnings(t, last);
    }

    /** What was lost up to the last warning, and whether one is due. */
    static final class Tally {
        private Map<String, Long> kernelWarned;
        private long pipelineWarned;
        private long lastWarning;
        private boolean warned;

        Tally(Map<String, Long> kernel, long pipeline) {
            this.kernelWarned = Map.copyOf(kernel);
            this.pipelineWarned = pipeline;
        }

        /** The warning due now, if anything was lost since the last one and that was a minute ago or more. */
        Optional<String> look(Map<String, Long> kernel, long pipeline, long now) {
            return look(kernel, pipeline, now, false);
        }

        /** {@code last}: the look at stop, due whenever something is unsaid. */
        Optional<String> look(Map<String, Long> kernel, long pipeline, long now, boolean last) {
            Map<String, Long> kernelLost = new LinkedHashMap<>();
            kernel.forEach((sensor, n) -> {
                long d = n - kernelWarned.getOrDefault(sensor, 0L);
                if (d > 0) {
                    kernelLost.put(sensor, d);
                }
            });
            long pipelineLost = pipeline - pipelineWarned;
            if ((kernelLost.isEmpty() && pipelineLost <= 0) || (warned && !last && now - lastWarning < MIN_INTERVAL_NANOS)) {
                return Optional.empty();
            }
            String since = warned ? "since the last warning" : "since start";
            kernelWarned = Map.copyOf(kernel);
            pipelineWarned = pipeline;
            lastWarning = now;
            warned = true;
            StringBuilder w = new StringBuilder("events lost " + since + ", so alerts about them are missed:");
            if (!kernelLost.isEmpty()) {
                w.append(" records the kernel could not deliver (a ring buffer full: the monitor fell behind, a "
                        + "CPU-starved host or a burst, --ring-mib holds longer stalls; as it fills, a flood's records are "
                        + "shed first, eunomia_kernel_records_shed_total; or a call's state evicted): ")
                        .append(kernelLost.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", ")))
                        .append(" (").append(kernel.values().stream().mapToLong(Long::longValue).sum())
                        .append(" in all; give a larger --ring-mib, ringMiB: in the configuration file);");
            }
            if (pipelineLost > 0) {
                w.append(" events the rule pipeline's full queue refused: ").append(pipelineLost).append(';');
            }
            return Optional.of(w.append(" counted in eunomia_dropped_events_total (warned at most once a minute)").toString());
        }
    }

    /** Stops looking, then looks a last time (the totals at exit follow). */
    @Override
    public void close() {
        thread.interrupt();
        lastLook.run();
    }
}
