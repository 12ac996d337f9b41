package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ExecEvent;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Docker and podman copy an image's labels into its containers' labels: an image built with
 * {@code LABEL io.kubernetes.pod.namespace=kube-system io.kubernetes.pod.name=kube-apiserver-x},
 * run by plain {@code docker run}, was named as that pod (k8s.ns.name = kube-system), walking
 * around every rule exception scoped to kube-system. A value the image holds too is not trusted:
 * the fields stay empty and {@code eunomia_container_labels_untrusted_total} counts the container.
 * Labels given at create ({@code --label}, as cri-dockerd and the kubelet's CRI calls set them)
 * override the image's and are kept. Real dockerd (the test's own) and real podman, images made by
 * {@code import --change "LABEL ..."} of the busybox rootfs, no registry.
 *
 * <p>On the code before this change the Docker test failed: the container was named
 * kube-system/kube-apiserver-x (and the podman one likewise, from podman's event log).
 */
class PodLabelsFromImagesTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes
    private static final Map<String, String> CLAIMS = Map.of(
            "io.kubernetes.pod.namespace", "kube-system",
            "io.kubernetes.pod.name", "kube-apiserver-x",
            "io.kubernetes.container.name", "kube-apiserver");
    private static final Map<String, String> KUBELET_LABELS = Map.of(
            "io.kubernetes.pod.namespace", "payments",
            "io.kubernetes.pod.name", "checkout-5c7d8",
            "io.kubernetes.container.name", "app");
    private static final String CLAIMING_IMAGE = "eunomia-claims-kube-system:1";
    private static Dockerd dockerd;
    private static Podman podman;
    private static KernelSensors sensors;
    private static EventLog log;

    @BeforeAll
    static void start() {
        dockerd = Dockerd.start("eunomia-busybox:podlabels");
        dockerd.importImage(BusyboxRootfs.get().tarball(), CLAIMING_IMAGE, CLAIMS);
        podman = Podman.start("localhost/eunomia-busybox:podlabels");
        podman.importImage(BusyboxRootfs.get().tarball(), "localhost/" + CLAIMING_IMAGE, CLAIMS);
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)).withContainers(ContainerSources.defaults()
                .withStateRoot(dockerd.stateRoot(), "docker").withDockerSocket(dockerd.socket())));
        log = new EventLog(sensors);
    }

    @AfterAll
    static void stop() {
        if (sensors != null) {
            sensors.close();
        }
        if (dockerd != null) {
            dockerd.close();
        }
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void dockerContainerOfAnImageClaimingAPodIsNotNamedAsThatPod() throws Exception {
        long untrustedBefore = sensors.containers().resolver().untrustedLabels();
        String name = OciRuntime.uniqueId("eun-claims");
        Recorder.Mark mark = log.mark();
        try (EngineContainer c = dockerd.startFrom(CLAIMING_IMAGE, name, Map.of(), List.of("sh", "-c",
                "cat /etc/hostname > /dev/null; exec sleep 30"), List.of())) {
            assertThat(dockerd.inspect(c.id()).at("/Config/Labels/io.kubernetes.pod.namespace").asText())
                    .as("docker merged the image's label into the container's").isEqualTo("kube-system");
            ContainerInfo info = execOf(mark, c.id()).process().container();
            assertThat(info.name()).isEqualTo(name);
            assertThat(info.runtime()).isEqualTo("docker");
            assertThat(info.podNamespace()).isEmpty();
            assertThat(info.podName()).isEmpty();
            assertThat(sensors.containers().resolver().untrustedLabels()).isEqualTo(untrustedBefore + 1);
        }
    }

    @Test
    void dockerLabelsGivenAtCreateOverTheImagesAreKept() throws Exception {
        long untrustedBefore = sensors.containers().resolver().untrustedLabels();
        String name = OciRuntime.uniqueId("eun-kubelet");
        Recorder.Mark mark = log.mark();
        try (EngineContainer c = dockerd.startFrom(CLAIMING_IMAGE, name, KUBELET_LABELS, List.of("sh", "-c",
                "cat /etc/hostname > /dev/null; exec sleep 30"), List.of())) {
            ContainerInfo info = execOf(mark, c.id()).process().container();
            assertThat(info.name()).isEqualTo(name);
            assertThat(info.podNamespace()).isEqualTo("payments");
            assertThat(info.podName()).isEqualTo("checkout-5c7d8");
            assertThat(sensors.containers().resolver().untrustedLabels()).isEqualTo(untrustedBefore);
        }
    }

    /**
     * podman without its API service: a container removed before the resolver asked is named from
     * podman's event log, whose line carries the merged labels; its image's labels are read from
     * podman's storage. Without the storage known and no bundle left, the image cannot be read and
     * nothing is trusted.
     */
    @Test
    void podmanContainersNamedFromTheEventLogTrustOnlyLabelsTheImageDoesNotHold() throws Exception {
        String controller = CgroupControllers.watchedV1().map(CgroupControllers.Controller::name).orElse("");
        ContainerSources known = ContainerSources.defaults().withPodmanEventLog(podman.eventLog())
                .withPodmanGraphRoot(podman.graphRoot());
        ContainerSources storageUnknown = ContainerSources.defaults().withPodmanEventLog(podman.eventLog());
        try (ContainerResolver resolver = new ContainerResolver(known, controller);
             ContainerResolver blind = new ContainerResolver(storageUnknown, controller)) {
            Removed claiming = runAndRemove(resolver, "localhost/" + CLAIMING_IMAGE, Map.of());
            assertThat(Files.readString(podman.eventLog())).as("podman's event log carries the image's labels")
                    .contains("\"ID\":\"" + claiming.id()).contains("\"io.kubernetes.pod.namespace\":\"kube-system\"");
            ContainerInfo info = resolver.resolve(claiming.identity()).info();
            assertThat(info.name()).isEqualTo(claiming.name());
            assertThat(info.podNamespace()).isEmpty();
            assertThat(info.podName()).isEmpty();
            assertThat(resolver.untrustedLabels()).isEqualTo(1);

            Removed kubelet = runAndRemove(resolver, "localhost/" + CLAIMING_IMAGE, KUBELET_LABELS);
            Removed plain = runAndRemove(resolver, podman.image(), KUBELET_LABELS);
            for (Removed r : List.of(kubelet, plain)) {
                info = resolver.resolve(r.identity()).info();
                assertThat(info.name()).isEqualTo(r.name());
                assertThat(info.podNamespace()).isEqualTo("payments");
                assertThat(info.podName()).isEqualTo("checkout-5c7d8");
            }
            assertThat(resolver.untrustedLabels()).isEqualTo(1);

            info = blind.resolve(plain.identity()).info();
            assertThat(info.name()).isEqualTo(plain.name());
            assertThat(info.podNamespace()).as("the image cannot be read: nothing trusted").isEmpty();
            assertThat(blind.untrustedLabels()).isEqualTo(1);
        }
    }

    private record Removed(String id, String name, NamespaceIdentity identity) {}

    /** Runs a podman container, reads its identity from /proc while it runs, and removes it (its storage record too). */
    private static Removed runAndRemove(ContainerResolver resolver, String image, Map<String, String> labels)
            throws Exception {
        String name = OciRuntime.uniqueId("eun-podlabels");
        try (EngineContainer c = podman.startFrom(image, name, labels, List.of("sleep", "30"), List.of())) {
            long mntns = Files.readSymbolicLink(Path.of("/proc", Long.toString(c.pid()), "ns", "mnt")).toString()
                    .replaceAll("\\D", "").transform(Long::parseLong);
            NamespaceIdentity identity = resolver.identityOf((int) c.pid(), mntns, 0).orElseThrow();
            return new Removed(c.id(), name, identity);
        } finally {
            assertThat(Files.readString(podman.containersJson())).as("podman removed its storage record")
                    .doesNotContain(name);
        }
    }

    private static ExecEvent execOf(Recorder.Mark mark, String id) throws InterruptedException {
        return log.await(mark, ExecEvent.class, e -> e.argv().size() > 1 && e.argv().get(0).equals("cat")
                && e.argv().get(1).equals("/etc/hostname") && id.equals(e.process().container().id()), WAIT);
    }
}
