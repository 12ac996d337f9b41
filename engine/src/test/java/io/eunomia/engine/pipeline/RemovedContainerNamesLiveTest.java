package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * container was created; the monitor is given no podman event log here, so podman's names come
 * through the stream (ShortLivedContainersLiveTest covers the event log, with no service).
 */
class RemovedContainerNamesLiveTest {
    private static final int CONTAINERS = 6;
    /** The container's only process: opens the credential file and exits (no shell, ~1 ms). */
    private static final List<String> WORKLOAD = List.of("cat", "/etc/shadow");

    private static EnginesUnderMonitor engines;

    /** A container that ran: what its alert must say. */
    private record Ran(String id, String name, String image, String runtime) {}

    @BeforeAll
    static void start() throws Exception {
        engines = EnginesUnderMonitor.start("rmname", true);
    }

    @AfterAll
    static void stop() {
        if (engines != null) {
            engines.close();
        }
    }

    @Test
    void removedDockerAndPodmanContainersAreAlertedByNameAndImage() throws Exception {
        Recorder.Mark mark = engines.mark();
        List<Ran> ran = new ArrayList<>();
        ExecutorService side = Executors.newFixedThreadPool(2);
        try {
            Future<List<Ran>> docker = side.submit(() -> runInARow(engines.dockerd()));
            Future<List<Ran>> pod = side.submit(() -> runInARow(engines.podman()));
            ran.addAll(docker.get());
            ran.addAll(pod.get());
        } finally {
            side.shutdownNow();
        }
        engines.assertEachAlerted(mark, ran, RemovedContainerNamesLiveTest::isItsAlert,
                "removed containers alerted by name and image");
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
        return EnginesUnderMonitor.isShadowRead(a) && a.container().id().equals(c.id()) && a.container().name().equals(c.name())
                && a.container().image().equals(c.image()) && a.container().runtime().equals(c.runtime());
    }
}
