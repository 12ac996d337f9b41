package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events from real podman and Docker containers carry the container's id, name, image, runtime
 * and Kubernetes pod labels. The test starts its own podman storage and its own dockerd.
 */
class EngineContainerAttributionTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final Map<String, String> CRI_LABELS = Map.of(
            "io.kubernetes.pod.name", "checkout-5c7d8",
            "io.kubernetes.pod.namespace", "payments",
            "io.kubernetes.container.name", "app");
    private static Podman podman;
    private static Dockerd dockerd;
    private static KernelSensors sensors;
    private static EventLog log;
    /** The log is shared: each test looks only at the events after it began. */
    private static Recorder.Mark testStart;

    @BeforeAll
    static void start() {
        podman = Podman.start("localhost/eunomia-busybox:attr");
        dockerd = Dockerd.start("eunomia-busybox:attr");
        ContainerSources sources = ContainerSources.defaults()
                .withStateRoot(dockerd.stateRoot(), "docker")
                .withDockerSocket(dockerd.socket())
                .withPodmanEventLog(podman.eventLog());
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS, Sensor.FILE)).withContainers(sources));
        log = new EventLog(sensors);
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(sensors, dockerd, podman);
    }

    @BeforeEach
    void markTestStart() {
        testStart = log.mark();
    }

    @Test
    void podmanContainerEventsCarryItsIdentity() throws Exception {
        String name = OciRuntime.uniqueId("eun-podman");
        try (EngineContainer c = podman.start(name, Map.of(), List.of("sh", "-c", "cat /etc/passwd > /dev/null; exec sleep 30"))) {
            ContainerInfo info = assertExecAndOpenAttributed(c.id());
            assertThat(info.name()).isEqualTo(name);
            assertThat(info.runtime()).isEqualTo("podman");
            assertThat(info.image()).contains("eunomia-busybox:attr");
        }
    }

    @Test
    void dockerContainerEventsCarryItsIdentityAndPod() throws Exception {
        String name = OciRuntime.uniqueId("eun-docker");
        try (EngineContainer c = dockerd.start(name, CRI_LABELS, List.of("sh", "-c", "cat /etc/passwd > /dev/null; exec sleep 30"))) {
            ContainerInfo info = assertExecAndOpenAttributed(c.id());
            assertThat(info.name()).isEqualTo(name);
            assertThat(info.runtime()).isEqualTo("docker");
            assertThat(info.image()).isEqualTo("eunomia-busybox:attr");
            assertThat(info.podName()).isEqualTo("checkout-5c7d8");
            assertThat(info.podNamespace()).isEqualTo("payments");
        }
    }

    @Test
    void fiftyMillisecondPodmanContainerIsAttributed() throws Exception {
        assertShortLivedAttributed(podman, "podman");
    }

    /**
     * podman without its API service, several {@code --rm} containers in a row: each named by its
     * {@code --name}, though podman removed its storage record and runc's state within ms of its exit.
     */
    @Test
    void fiftyMillisecondPodmanContainersWithoutAnApiServiceAreEachNamed() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertShortLivedAttributed(podman, "podman");
        }
    }

    @Test
    void fiftyMillisecondDockerContainerIsAttributed() throws Exception {
        assertShortLivedAttributed(dockerd, "docker");
    }

    private static ContainerInfo assertExecAndOpenAttributed(String id) throws Exception {
        ExecEvent cat = await(ExecEvent.class, e -> e.argv().size() > 1 && e.argv().get(0).equals("cat")
                && e.argv().get(1).equals("/etc/passwd") && id.equals(e.process().container().id()));
        FileEvent open = await(FileEvent.class, e -> e.op() == FileOp.OPEN && e.path().equals("/etc/passwd")
                && e.process().pid() == cat.process().pid());
        assertThat(open.process().container()).isEqualTo(cat.process().container());
        return cat.process().container();
    }

    private static void assertShortLivedAttributed(ContainerEngine engine, String runtime) throws Exception {
        String name = OciRuntime.uniqueId("eun-short-" + runtime);
        Result r = engine.runShortLived(name, true);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String id = r.id();
        ExecEvent cat = await(ExecEvent.class, e -> e.argv().size() > 1 && e.argv().get(0).equals("cat")
                && e.argv().get(1).equals("/etc/hostname") && id.equals(e.process().container().id()));
        assertThat(cat.process().container().name()).isEqualTo(name);
        assertThat(cat.process().container().runtime()).isEqualTo(runtime);
        List<Event> ofContainer = log.since(testStart).stream().filter(e -> e.process().mntnsId() == cat.process().mntnsId()).toList();
        assertThat(ofContainer).allSatisfy(e -> assertThat(e.process().container().id()).isEqualTo(id));
    }

    private static <E extends Event> E await(Class<E> type, Predicate<? super E> match) throws InterruptedException {
        return log.await(testStart, type, match, WAIT);
    }
}
