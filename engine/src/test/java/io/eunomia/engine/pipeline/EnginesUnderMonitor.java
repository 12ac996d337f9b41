package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * A podman and a dockerd of the test's own and the live monitor with the default pack watching
 * them (no aggregation: one alert an act, kept in memory), for the tests whose containers read
 * /etc/shadow and exit: each container's "Read sensitive file" alert must name it.
 */
final class EnginesUnderMonitor implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    private Podman podman;
    private Dockerd dockerd;
    private final InMemoryOutput out = new InMemoryOutput();
    private Monitor monitor;

    private EnginesUnderMonitor() {}

    /**
     * Starts both engines with the busybox image tagged {@code tag}; with {@code podmanApiService} the
     * monitor reads podman's compat service (its event stream) and not podman's event log, else
     * podman runs without a service, as plain {@code podman run} does, and the monitor reads its event log.
     */
    static EnginesUnderMonitor start(String tag, boolean podmanApiService) throws Exception {
        EnginesUnderMonitor e = new EnginesUnderMonitor();
        // The two engines share nothing: started side by side (each mostly waits for its daemon and its image load).
        CompletableFuture<Podman> podman = CompletableFuture.supplyAsync(() -> Podman.start("localhost/eunomia-busybox:" + tag),
                STARTER);
        try {
            try {
                e.dockerd = Dockerd.start("eunomia-busybox:" + tag);
            } catch (RuntimeException | Error failure) {
                try {
                    e.podman = joined(podman);  // closed below with the rest
                } catch (RuntimeException | Error also) {
                    failure.addSuppressed(also);
                }
                throw failure;
            }
            e.podman = joined(podman);
            ContainerSources sources = ContainerSources.defaults()
                    .withStateRoot(e.dockerd.stateRoot(), "docker")
                    .withDockerSocket(e.dockerd.socket());
            // Either source names podman's removed containers; the event log answers first, so with
            // the service the monitor gets no event log: the API's event stream is what is tested.
            sources = podmanApiService
                    ? sources.withoutPodmanEventLogs().withDockerSocket(e.podman.startApiService())
                    : sources.withPodmanEventLog(e.podman.eventLog());
            ContainerSources watched = sources;
            e.monitor = Monitor.start(new RuleLoader(List.of(), true), e.out,
                    Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withContainers(watched));
            return e;
        } catch (Exception | Error failure) {
            e.close();
            throw failure;
        }
    }

    private static final java.util.concurrent.Executor STARTER = r -> Thread.ofPlatform().daemon().name("podman-start").start(r);

    /** The started podman, or the failure that stopped it (unwrapped). */
    private static Podman joined(CompletableFuture<Podman> podman) {
        try {
            return podman.join();
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (failed.getCause() instanceof Error err) {
                throw err;
            }
            throw failed;
        }
    }

    Podman podman() {
        return podman;
    }

    Dockerd dockerd() {
        return dockerd;
    }

    Recorder.Mark mark() {
        return out.mark();
    }

    /**
     * Waits until each container has an alert since the mark that {@code isItsAlert} takes for its
     * own (ends as soon as all have), prints how many had, and fails naming the /etc/shadow alerts
     * raised when some had none.
     */
    <C> void assertEachAlerted(Recorder.Mark mark, List<C> containers, BiPredicate<Alert, C> isItsAlert, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<C> missing;
        while (true) {
            List<Alert> after = out.since(mark);
            missing = containers.stream().filter(c -> after.stream().noneMatch(a -> isItsAlert.test(a, c))).toList();
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        System.out.printf("%s: %d of %d (%s)%n", what, containers.size() - missing.size(), containers.size(), losses());
        assertThat(missing).as(() -> "containers without an alert naming them (" + losses() + "); 'Read sensitive file' "
                        + "alerts of /etc/shadow since the first started:\n" + shadowAlerts(mark))
                .isEmpty();
    }

    /** A "Read sensitive file" alert of /etc/shadow. */
    static boolean isShadowRead(Alert a) {
        return a.rule().equals("Read sensitive file") && a.output().contains("/etc/shadow");
    }

    /** Where the monitor counts what it lost or could not name, since it started: a miss is one of them, or is late. */
    private String losses() {
        Pipeline.Stats p = monitor.pipeline().stats();
        return "records the kernel could not deliver " + monitor.sensors().lostBySensor()
                + ", events the pipeline's full queue refused " + p.dropped() + ", events queued and not yet judged "
                + (p.accepted() - p.processed()) + ", events without a container " + monitor.sensors().unresolvedEvents()
                + ", container namespaces released before any look answered "
                + monitor.sensors().containers().releasedUnanswered();
    }

    private String shadowAlerts(Recorder.Mark mark) {
        return out.since(mark).stream().filter(EnginesUnderMonitor::isShadowRead)
                .map(a -> a.container() + " " + a.output()).collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        if (monitor != null) {
            monitor.close();
        }
        if (dockerd != null) {
            dockerd.close();
        }
        if (podman != null) {
            podman.close();
        }
    }
}
