package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Containers that do one thing and exit (the case: {@code cat /etc/shadow}, a few ms of
 * workload), many in a row, under the live monitor with the default pack: every "Read sensitive
 * file" alert must name its own container (id, name, runtime), never the host or nobody. The
 * runtimes delete the container's process and state within milliseconds, so this holds only if
 * attribution does not depend on them still existing when it looks.
 */
class ShortLivedContainersLiveTest {
    private static final int CONTAINERS = 12;
    private static final List<String> WORKLOAD = List.of("sh", "-c", "cat /etc/shadow >/dev/null 2>&1; echo ok");

    private static EnginesUnderMonitor engines;

    /** A container that ran: the id and name its alert must carry. */
    private record Ran(String id, String name) {}

    @BeforeAll
    static void start() throws Exception {
        engines = EnginesUnderMonitor.start("shortlived", false);
    }

    @AfterAll
    static void stop() {
        if (engines != null) {
            engines.close();
        }
    }

    @Test
    void everyShortRuncContainerIsItself() throws Exception {
        try (Runc runc = new Runc()) {
            assertEachAlertNamesItsContainer("runc", oci(runc));
        }
    }

    @Test
    void everyShortCrunContainerIsItself() throws Exception {
        try (Crun crun = new Crun()) {
            assertEachAlertNamesItsContainer("crun", oci(crun));
        }
    }

    @Test
    void everyShortPodmanContainerIsItself() throws Exception {
        assertEachAlertNamesItsContainer("podman", engine(engines.podman()));
    }

    @Test
    void everyShortDockerContainerIsItself() throws Exception {
        assertEachAlertNamesItsContainer("docker", engine(engines.dockerd()));
    }

    private interface Launcher {
        Ran run(String name) throws Exception;
    }

    private static Launcher oci(OciRuntime runtime) {
        return name -> {
            Result r = runtime.run(name, ContainerSpec.of(WORKLOAD), Duration.ofSeconds(30));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            return new Ran(name, name);
        };
    }

    private static Launcher engine(ContainerEngine engine) {
        return name -> {
            Result r = engine.run(name, Map.of(), WORKLOAD, true, Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.id()).as("container id of " + name).isNotBlank();
            return new Ran(r.id(), name);
        };
    }

    private static void assertEachAlertNamesItsContainer(String runtime, Launcher launcher) throws Exception {
        Recorder.Mark mark = engines.mark();
        List<Ran> ran = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < CONTAINERS; i++) {
            ran.add(launcher.run(OciRuntime.uniqueId("sl-" + runtime + "-" + i)));
        }
        long ranMillis = (System.nanoTime() - t0) / 1_000_000;
        engines.assertEachAlerted(mark, ran, (a, c) -> isItsAlert(a, c, runtime),
                "short-lived " + runtime + " containers attributed (ran in " + ranMillis + " ms)");
    }

    private static boolean isItsAlert(Alert a, Ran c, String runtime) {
        return EnginesUnderMonitor.isShadowRead(a) && a.container().id().equals(c.id()) && a.container().name().equals(c.name())
                && a.container().runtime().equals(runtime);
    }
}
