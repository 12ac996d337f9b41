package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ExecEvent;
import io.eunomia.testkit.BesideTheStream;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.Containerd;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * containerd copies an image's config labels into its containers' labels: {@code ctr run} through
 * {@code WithImageConfigLabels}, the CRI plugin through {@code buildLabels} (the kubelet's labels
 * from the CRI request override the image's). A container of an image whose config claims a
 * kube-system pod is not named as that pod; labels given at create are kept. A real containerd, an
 * OCI image layout (busybox rootfs layer, config with Labels) imported with {@code ctr image import}.
 *
 * <p>On the code before this change the first test failed: the container was named kube-system/kube-apiserver-x.
 */
@BesideTheStream
class ContainerdImageLabelsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE = "docker.io/eunomia/claims-kube-system:1";
    private static final Map<String, String> CLAIMS = Map.of(
            "io.kubernetes.pod.namespace", "kube-system",
            "io.kubernetes.pod.name", "kube-apiserver-x",
            "io.kubernetes.container.name", "kube-apiserver");
    private static Containerd containerd;
    private static KernelSensors sensors;
    private static EventLog log;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        containerd = Containerd.start();
        Path image = ociImage(dir, CLAIMS);
        Result imported = containerd.ctr(Duration.ofSeconds(120), "image", "import", image.toString());
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)).withContainers(ContainerSources.defaults()
                .withStateRoot(Path.of("/run/containerd/runc", containerd.namespace()), "containerd")
                .withContainerdRoot(containerd.workDir().resolve("root"))));
        log = new EventLog(sensors);
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(sensors, containerd);
    }

    @Test
    void containerOfAnImageClaimingAPodIsNotNamedAsThatPod() throws Exception {
        long untrustedBefore = sensors.containers().resolver().untrustedLabels();
        ContainerInfo info = run(List.of());
        assertThat(info.runtime()).isEqualTo("containerd");
        assertThat(info.podNamespace()).isEmpty();
        assertThat(info.podName()).isEmpty();
        assertThat(info.name()).as("io.kubernetes.container.name from the image is not its name").isEqualTo(info.id());
        assertThat(sensors.containers().resolver().untrustedLabels()).isEqualTo(untrustedBefore + 1);
    }

    @Test
    void labelsGivenAtCreateOverTheImagesAreKept() throws Exception {
        long untrustedBefore = sensors.containers().resolver().untrustedLabels();
        ContainerInfo info = run(List.of("io.kubernetes.pod.namespace=payments", "io.kubernetes.pod.name=checkout-5c7d8",
                "io.kubernetes.container.name=app"));
        assertThat(info.podNamespace()).isEqualTo("payments");
        assertThat(info.podName()).isEqualTo("checkout-5c7d8");
        assertThat(info.name()).isEqualTo("app");
        assertThat(sensors.containers().resolver().untrustedLabels()).isEqualTo(untrustedBefore);
    }

    /**
     * {@code ctr run --rm --label K=V... IMAGE ID sh -c "sleep 1; cat /etc/hostname; sleep 2"}: the container
     * of its {@code cat}. It lives on so that its records do, and cat runs once its namespace is resolved: a
     * cold resolver on a loaded machine (load 16-20) took 250 ms to its first look, after a 0.2 s container
     * had gone with its runc state and containerd record, and its first exec left named by what was known.
     */
    private static ContainerInfo run(List<String> labels) throws Exception {
        String id = OciRuntime.uniqueId("ctrd-claims");
        Recorder.Mark mark = log.mark();
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        labels.forEach(kv -> args.addAll(List.of("--label", kv)));
        args.addAll(List.of(IMAGE, id, "sh", "-c", "sleep 1; cat /etc/hostname > /dev/null; exec sleep 2"));
        Result r = containerd.ctr(Duration.ofSeconds(60), args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return log.await(mark, ExecEvent.class, e -> e.argv().size() > 1 && e.argv().get(0).equals("cat")
                && e.argv().get(1).equals("/etc/hostname") && id.equals(e.process().container().id()), WAIT)
                .process().container();
    }

    /** An OCI image layout tarball: the busybox rootfs as its one layer, a config with these labels. */
    private static Path ociImage(Path dir, Map<String, String> labels) throws Exception {
        Path layout = Files.createDirectories(dir.resolve("layout"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        byte[] layer = Files.readAllBytes(BusyboxRootfs.get().tarball());
        String layerDigest = blob(blobs, layer);
        byte[] config = JSON.writeValueAsBytes(Map.of("architecture", "amd64", "os", "linux",
                "config", Map.of("Env", List.of("PATH=/bin:/usr/bin:/sbin:/usr/sbin"), "Labels", labels),
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(layerDigest))));
        byte[] manifest = JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json", "digest", blob(blobs, config),
                        "size", config.length),
                "layers", List.of(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar", "digest", layerDigest,
                        "size", layer.length))));
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                "manifests", List.of(Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json",
                        "digest", blob(blobs, manifest), "size", manifest.length,
                        "annotations", Map.of("io.containerd.image.name", IMAGE, "org.opencontainers.image.ref.name", "1"))))));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path tarball = dir.resolve("image.tar");
        Process tar = new ProcessBuilder("tar", "-C", layout.toString(), "-cf", tarball.toString(), "oci-layout",
                "index.json", "blobs").inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        return tarball;
    }

    private static String blob(Path blobs, byte[] content) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Files.write(blobs.resolve(hex), content);
        return "sha256:" + hex;
    }
}
