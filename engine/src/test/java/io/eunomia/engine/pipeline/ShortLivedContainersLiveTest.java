package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final List<String> WORKLOAD = List.of("sh", "-c", "cat /etc/shadow >/dev/null 2>&1; echo ok");

    private static Podman podman;
    private static Dockerd dockerd;
    private static InMemoryOutput out;
    private static Monitor monitor;

    /** A container that ran: the id and name its alert must carry. */
    private record Ran(String id, String name) {}

    @BeforeAll
    static void start() throws Exception {
        podman = Podman.start("localhost/eunomia-busybox:shortlived");
        dockerd = Dockerd.start("eunomia-busybox:shortlived");
        ContainerSources sources = ContainerSources.defaults()
                .withStateRoot(dockerd.stateRoot(), "docker")
                .withDockerSocket(dockerd.socket());
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
        assertEachAlertNamesItsContainer("podman", engine(podman));
    }

    @Test
    void everyShortDockerContainerIsItself() throws Exception {
        assertEachAlertNamesItsContainer("docker", engine(dockerd));
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
        Recorder.Mark mark = out.mark();
        List<Ran> ran = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < CONTAINERS; i++) {
            ran.add(launcher.run(OciRuntime.uniqueId("sl-" + runtime + "-" + i)));
        }
        long ranMillis = (System.nanoTime() - t0) / 1_000_000;
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Ran> missing;
        while (true) {
            List<Alert> after = out.since(mark);
            missing = ran.stream().filter(c -> after.stream().noneMatch(a -> isItsAlert(a, c, runtime))).toList();
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        System.out.printf("short-lived %s containers attributed: %d of %d (ran in %d ms)%n", runtime,
                CONTAINERS - missing.size(), CONTAINERS, ranMillis);
        assertThat(missing).as(() -> "containers without an alert naming them; 'Read sensitive file' alerts of "
                        + "/etc/shadow since the first started:\n" + shadowAlerts(mark))
                .isEmpty();
    }

    private static boolean isItsAlert(Alert a, Ran c, String runtime) {
        return a.rule().equals("Read sensitive file") && a.output().contains("/etc/shadow")
                && a.container().id().equals(c.id()) && a.container().name().equals(c.name())
                && a.container().runtime().equals(runtime);
    }

    private static String shadowAlerts(Recorder.Mark mark) {
        return out.since(mark).stream().filter(a -> a.rule().equals("Read sensitive file") && a.output().contains("/etc/shadow"))
                .map(a -> a.container() + " " + a.output()).collect(Collectors.joining("\n"));
    }
}
