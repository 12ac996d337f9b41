package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docker run --rm} and {@code podman run --rm} containers whose one process reads
 * /etc/shadow and exits within a millisecond, several in a row, docker's and podman's side by side
 * (as when the runtimes' tests ran together): every "Read sensitive file" alert names the container
 * by the {@code --name} it was given and its image, not by its id. The engine removes the container,
 * and every record of it that could be looked up, a few hundred ms after its act; the names come from
 * the Engine API's event stream (dockerd's socket, podman's compat service), read since before the
 * container was created.
 */
class RemovedContainerNamesLiveTest {
    private static final int CONTAINERS = 6;
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    /** The container's only process: opens the credential file and exits (no shell, ~1 ms). */
    private static final List<String> WORKLOAD = List.of("cat", "/etc/shadow");

    private static Podman podman;
    private static Dockerd dockerd;
    private static InMemoryOutput out;
    private static Monitor monitor;

    /** A container that ran: what its alert must say. */
    private record Ran(String id, String name, String image, String runtime) {}

    @BeforeAll
    static void start() throws Exception {
        podman = Podman.start("localhost/eunomia-busybox:rmname");
        Path podmanApi = podman.startApiService();
        dockerd = Dockerd.start("eunomia-busybox:rmname");
        ContainerSources sources = ContainerSources.defaults()
                .withStateRoot(dockerd.stateRoot(), "docker")
                .withDockerSocket(dockerd.socket())
                .withDockerSocket(podmanApi);
        out = new InMemoryOutput();
        monitor = Monitor.start(new RuleLoader(List.of(), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withContainers(sources));
    }

    @AfterAll
    static void stop() {
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

    @Test
    void removedDockerAndPodmanContainersAreAlertedByNameAndImage() throws Exception {
        Recorder.Mark mark = out.mark();
        List<Ran> ran = new ArrayList<>();
        ExecutorService side = Executors.newFixedThreadPool(2);
        try {
            Future<List<Ran>> docker = side.submit(() -> runInARow(dockerd));
            Future<List<Ran>> pod = side.submit(() -> runInARow(podman));
            ran.addAll(docker.get());
            ran.addAll(pod.get());
        } finally {
            side.shutdownNow();
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Ran> missing;
        while (true) {
            List<Alert> after = out.since(mark);
            missing = ran.stream().filter(c -> after.stream().noneMatch(a -> isItsAlert(a, c))).toList();
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        System.out.printf("removed containers alerted by name and image: %d of %d%n", ran.size() - missing.size(),
                ran.size());
        assertThat(missing).as(() -> "containers without an alert naming them; 'Read sensitive file' alerts of "
                        + "/etc/shadow since the first started:\n" + shadowAlerts(mark))
                .isEmpty();
    }

    private static List<Ran> runInARow(ContainerEngine engine) {
        List<Ran> ran = new ArrayList<>();
        for (int i = 0; i < CONTAINERS; i++) {
            String name = OciRuntime.uniqueId("rm-" + engine.name() + "-" + i);
            Result r = engine.run(name, Map.of(), WORKLOAD, true, Duration.ofSeconds(60));
            // The rootfs has no /etc/shadow: cat exits 1, and the act the rule watches is the attempt to open it.
            assertThat(r.id()).as("container id of " + name + ": " + r.stderr()).isNotBlank();
            ran.add(new Ran(r.id(), name, engine.image(), engine.name()));
        }
        return ran;
    }

    private static boolean isItsAlert(Alert a, Ran c) {
        return a.rule().equals("Read sensitive file") && a.output().contains("/etc/shadow")
                && a.container().id().equals(c.id()) && a.container().name().equals(c.name())
                && a.container().image().equals(c.image()) && a.container().runtime().equals(c.runtime());
    }

    private static String shadowAlerts(Recorder.Mark mark) {
        return out.since(mark).stream().filter(a -> a.rule().equals("Read sensitive file") && a.output().contains("/etc/shadow"))
                .map(a -> a.container() + " " + a.output()).collect(Collectors.joining("\n"));
    }
}
