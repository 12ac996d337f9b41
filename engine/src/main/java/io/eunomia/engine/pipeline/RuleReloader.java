package io.eunomia.engine.pipeline;

import io.eunomia.event.EventType;
import io.eunomia.event.NetInterest;
import io.eunomia.rules.FileReadNeeds;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleError;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Reloads the rules of a running pipeline: reads and compiles on its own thread (never the
 * pipeline's), then swaps. A file that does not compile is reported with file:line:column and the
 * running rules stay as they are. The kernel's filters follow the rules (the file sensor's read
 * filter, the network sensor's socket events): before the swap they let through what the old or
 * the new rules read, after it what the new ones read; a reload that fails leaves them as they are.
 * After the swap the sensors forget what they report only once (a datagram destination per
 * process), so the new rules see it again.
 */
public final class RuleReloader implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RuleReloader.class.getName());

    /** What a reload did: the new rules, or why the old ones are still running. */
    public record Result(RuleBase rules, List<RuleError> errors) {
        public boolean ok() {
            return rules != null;
        }
    }

    private final RuleLoader loader;
    private final Pipeline pipeline;
    private final Set<EventType> observable;
    private final Consumer<Optional<List<String>>> readFilter;
    private final Consumer<Optional<List<String>>> missFilter;
    private final Consumer<Optional<List<String>>> timesFilter;
    private final Consumer<NetInterest> netFilter;
    private final Runnable forgetReported;
    /** What the running rules read; on the reload thread only. */
    private KernelFilters filters;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("eunomia-reload").daemon().unstarted(r));

    /** @param observable event types the loaded sensors produce (sensors stay as started) */
    public RuleReloader(RuleLoader loader, Pipeline pipeline, Set<EventType> observable) {
        this(loader, pipeline, observable, KernelFilters.ALL, filter -> { }, filter -> { }, filter -> { }, interest -> { }, () -> { });
    }

    /**
     * What the kernel's filters let through: the file reads, the opens of missing files, the explicit times
     * set on files and the socket events of some rule.
     */
    public record KernelFilters(FileReadNeeds reads, FileReadNeeds misses, FileReadNeeds times, NetInterest net) {
        public static final KernelFilters ALL = new KernelFilters(FileReadNeeds.ALL, FileReadNeeds.ALL, FileReadNeeds.ALL,
                NetInterest.ALL);

        public static KernelFilters of(RuleBase rules) {
            return new KernelFilters(rules.fileReads(), rules.missingReads(), rules.timesSet(), rules.netEvents());
        }

        KernelFilters plus(KernelFilters o) {
            return new KernelFilters(reads.plus(o.reads), misses.plus(o.misses), times.plus(o.times), net.plus(o.net));
        }
    }

    /**
     * @param filters    what the running rules read
     * @param readFilter sets the sensors' read filter (KernelSensors::updateReadPrefixes)
     * @param missFilter sets the sensors' filter of opens of missing files (KernelSensors::updateMissPrefixes)
     * @param timesFilter sets the sensors' filter of explicit times set (KernelSensors::updateTimesPrefixes)
     * @param netFilter  sets the network sensor's filter (KernelSensors::updateNetInterest)
     * @param forgetReported makes the sensors report again what they report once (KernelSensors::forgetReportedDestinations)
     */
    public RuleReloader(RuleLoader loader, Pipeline pipeline, Set<EventType> observable, KernelFilters filters,
                        Consumer<Optional<List<String>>> readFilter, Consumer<Optional<List<String>>> missFilter,
                        Consumer<Optional<List<String>>> timesFilter, Consumer<NetInterest> netFilter, Runnable forgetReported) {
        this.loader = loader;
        this.pipeline = pipeline;
        this.observable = Set.copyOf(observable);
        this.filters = filters;
        this.readFilter = readFilter;
        this.missFilter = missFilter;
        this.timesFilter = timesFilter;
        this.netFilter = netFilter;
        this.forgetReported = forgetReported;
    }

    /** Queues a reload; reloads run one at a time, in order. */
    public CompletableFuture<Result> reload(String why) {
        return CompletableFuture.supplyAsync(() -> doReload(why), executor);
    }

    private Result doReload(String why) {
        long t0 = System.nanoTime();
        RuleBase next;
        try {
            next = loader.load();
        } catch (RuleCompileException e) {
            LOG.log(Level.WARNING, "rules not reloaded ({0}); the running rules stay:\n{1}", why, e.getMessage());
            return new Result(null, e.errors());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "rules not reloaded ({0}); the running rules stay: {1}", why, e.toString());
            return new Result(null, List.of(new RuleError("?", 0, 0, e.toString())));
        }
        Set<EventType> missing = EnumSet.noneOf(EventType.class);
        missing.addAll(next.eventTypes());
        missing.removeAll(observable);
        if (!missing.isEmpty()) {
            LOG.log(Level.WARNING, "the new rules read {0} events, whose sensors were not loaded at start: "
                    + "those rules see nothing until monitor restarts", missing);
        }
        // Wider first: the new rules see their reads from the moment they run, the old ones keep theirs until then.
        setFilters(filters.plus(KernelFilters.of(next)));
        try {
            pipeline.swap(next).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, List.of(new RuleError("?", 0, 0, "interrupted")));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        filters = KernelFilters.of(next);
        setFilters(filters);
        try {
            forgetReported.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the sensors could not forget the destinations they reported ({0}): "
                    + "those already reported stay quiet for the new rules", e.toString());
        }
        LOG.log(Level.INFO, "rules reloaded ({0}): {1} rules, compiled in {2} ms", why, next.rules().size(),
                (System.nanoTime() - t0) / 1_000_000);
        return new Result(next, List.of());
    }

    private void setFilters(KernelFilters f) {
        setOrSwitchOff("the sensors' read filter", readFilter, f.reads().filter(), f.reads().describe(), Optional.empty());
        setOrSwitchOff("the sensors' filter of missing files' opens", missFilter, f.misses().filter(), f.misses().describe(),
                Optional.empty());
        setOrSwitchOff("the sensors' filter of explicit times set", timesFilter, f.times().filter(), f.times().describe(),
                Optional.empty());
        setOrSwitchOff("the network sensor's filter", netFilter, f.net(), f.net().describe(), NetInterest.ALL);
    }

    /**
     * Sets a kernel filter; if that fails, switches it off (off lets everything through: the rules
     * see more, never less), and if that fails too, says so: the filter stays as the kernel has it.
     */
    private static <T> void setOrSwitchOff(String filter, Consumer<T> set, T value, String described, T off) {
        try {
            set.accept(value);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not set {0} to {1} ({2}); switching it off", filter, described, e.toString());
            try {
                set.accept(off);
            } catch (RuntimeException again) {
                LOG.log(Level.ERROR, "could not switch {0} off: {1}", filter, again.toString());
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
