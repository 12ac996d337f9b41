package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.Containerd;
import io.eunomia.testkit.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * containerd's metadata store read by {@link ContainerdMetadata} while a real containerd (started
 * here) runs and holds it: labels and image of containers made with {@code ctr}, enough containers
 * with Kubernetes-long ids that the containers bucket spans several pages (branch pages walked),
 * a container with hundreds of labels, other namespaces, and what is not there.
 */
class ContainerdMetadataTest {
    private static Containerd containerd;
    private static Path rootfs;
    private static final List<String> IDS = new ArrayList<>();
    private static final long HOST_PIDNS = 4026531836L;

    @BeforeAll
    static void start() throws Exception {
        containerd = Containerd.start("k8s.io");
        rootfs = Files.createDirectories(containerd.workDir().resolve("empty-rootfs"));
        for (int i = 0; i < 60; i++) {
            byte[] b = new byte[32];
            ThreadLocalRandom.current().nextBytes(b);
            String id = HexFormat.of().formatHex(b);   // 64 hex digits, as the kubelet's CRI ids
            create("k8s.io", id, List.of("io.kubernetes.pod.name=pod-" + i, "io.kubernetes.pod.namespace=ns-" + (i % 3),
                    "io.kubernetes.container.name=c" + i));
            IDS.add(id);
        }
    }

    private static void create(String namespace, String id, List<String> labels) {
        List<String> args = new ArrayList<>(List.of("-n", namespace, "containers", "create"));
        labels.forEach(l -> args.addAll(List.of("--label", l)));
        args.addAll(List.of("--rootfs", rootfs.toString(), id, "sh"));
        Result r = containerd.ctr(Duration.ofSeconds(30), args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    @AfterAll
    static void stop() {
        if (containerd != null) {
            containerd.close();
        }
    }

    private static List<Path> roots() {
        return List.of(Path.of("/nonexistent-containerd-root"), containerd.workDir().resolve("root"));
    }

    @Test
    void everyContainerIsFoundWithItsLabelsAcrossPages() throws Exception {
        for (int i = 0; i < IDS.size(); i++) {
            var r = ContainerdMetadata.lookup(roots(), "k8s.io", IDS.get(i));
            assertThat(r).as(IDS.get(i)).isPresent();
            assertThat(r.get().namespace()).isEqualTo("k8s.io");
            assertThat(r.get().image()).as("made from a root file system: no image").isEmpty();
            assertThat(r.get().labels()).containsExactlyInAnyOrderEntriesOf(Map.of("io.kubernetes.pod.name", "pod-" + i,
                    "io.kubernetes.pod.namespace", "ns-" + (i % 3), "io.kubernetes.container.name", "c" + i));
        }
        try (BoltFile f = BoltFile.open(containerd.workDir().resolve("root/io.containerd.metadata.v1.bolt/meta.db"))) {
            BoltFile.Bucket containers = f.bucket(f.bucket(f.bucket(f.root(), "v1").orElseThrow(), "k8s.io").orElseThrow(),
                    "containers").orElseThrow();
            assertThat(f.subBuckets(containers)).as("every container, in key order").containsExactlyElementsOf(
                    IDS.stream().sorted().toList());
            assertThat(containers.inline()).as("a bucket of its own pages").isNull();
            assertThat(f.branches(containers)).as("the lookups above descended through branch pages").isTrue();
        }
    }

    @Test
    void manyLabelsOtherNamespacesAndAbsentContainers() throws Exception {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            labels.add("example.com/label-" + i + "=value-" + "x".repeat(i % 40));
        }
        create("other", "many-labels", labels);
        var r = ContainerdMetadata.lookup(roots(), "k8s.io", "many-labels");
        assertThat(r).as("found in the namespace it is in, after the preferred one").isPresent();
        assertThat(r.get().namespace()).isEqualTo("other");
        assertThat(r.get().labels()).hasSize(300).containsEntry("example.com/label-299", "value-" + "x".repeat(299 % 40));
        assertThat(r.get().label("io.kubernetes.pod.name", "fallback")).isEqualTo("fallback");

        assertThat(ContainerdMetadata.lookup(roots(), "k8s.io", "no-such-container")).isEmpty();
        assertThat(ContainerdMetadata.lookup(roots(), "k8s.io", "../../etc")).as("not an id").isEmpty();
        assertThat(ContainerdMetadata.lookup(List.of(Path.of("/nonexistent")), "k8s.io", IDS.getFirst())).isEmpty();
    }

    /**
     * A labels-only pod container (ContainerdK8sNamespaceTest's ledger) whose runc is still creating
     * it (no state yet: a loaded machine stretches `create` past the attribution hold): containerd's
     * record, committed before the task, names it and its pod already, by the shim's bundle path.
     */
    @Test
    void aContainerWithoutRuncStateYetIsNamedFromContainerdsRecord(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc");
        String id = creatingUnderTheShim("ledger-", List.of("io.kubernetes.pod.name=ledger-7f9c",
                "io.kubernetes.pod.namespace=payments-ops", "io.kubernetes.container.name=ledger"), tmp, tmp.resolve("runc"));
        NamespaceIdentity ns = new NamespaceIdentity(4026532177L, 15, 101, "runc:[2:INIT]", "/k8s.io/" + id, 900,
                "/k8s.io/" + id, 901, "pids", List.of(new NamespaceIdentity.Ancestor(50, "runc", 1),
                        new NamespaceIdentity.Ancestor(40, "containerd-shim", 1)));
        try (ContainerResolver resolver = new ContainerResolver(new ContainerSources(List.of(), List.of(), roots()),
                new ProcFs(proc), HOST_PIDNS, "pids", Duration.ofSeconds(2))) {
            ContainerResolver.Resolution r = resolver.resolve(ns);
            assertThat(r.info().id()).isEqualTo(id);
            assertThat(r.info().name()).isEqualTo("ledger");
            assertThat(r.info().podName()).isEqualTo("ledger-7f9c");
            assertThat(r.info().podNamespace()).isEqualTo("payments-ops");
            assertThat(r.info().runtime()).isEqualTo("containerd");
            assertThat(r.complete()).as("runc's state is still to come").isFalse();
            assertThat(r.retry()).isTrue();
        }
    }

    /**
     * ContainerdK8sNamespaceTest's "runc" engine under load: runc writes its state between the
     * resolver's look through the cgroup's id (no state yet) and its look through runc's command line
     * (--root: state there), which named the state after the runtime. Here the cgroup names no id, so
     * the command line's look is the one that answers, every time. Whether runc's --root is a state
     * root configured as containerd's or one no source names, the shim above runc (and containerd's
     * record) say containerd: the bare runtime's name must not win.
     */
    @Test
    void runcsStateAnsweringFirstDoesNotNameTheEngineRunc(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc");
        Path runcRoot = tmp.resolve("runc/k8s.io");
        String id = creatingUnderTheShim("app-", List.of("io.kubernetes.pod.name=checkout-5c7d8",
                "io.kubernetes.pod.namespace=payments", "io.kubernetes.container.name=app"), tmp, runcRoot);
        Path stateDir = Files.createDirectories(runcRoot.resolve(id));
        Files.writeString(stateDir.resolve("state.json"), "{\"id\":\"" + id + "\",\"init_process_pid\":101,"
                + "\"config\":{\"labels\":[\"bundle=" + bundleOf(tmp, id) + "\"]}}");
        // No id in the cgroup: the configured roots are not asked by id, only runc's --root is.
        NamespaceIdentity ns = new NamespaceIdentity(4026532177L, 15, 101, "runc:[2:INIT]", "/", 1, "/", 1, "pids",
                List.of(new NamespaceIdentity.Ancestor(50, "runc", 1), new NamespaceIdentity.Ancestor(40, "containerd-shim", 1)));
        List<ContainerSources> configured = List.of(
                new ContainerSources(List.of(new ContainerSources.StateRoot(runcRoot, "containerd")), List.of(), roots()),
                new ContainerSources(List.of(), List.of(), roots()));
        for (ContainerSources sources : configured) {
            try (ContainerResolver resolver = new ContainerResolver(sources, new ProcFs(proc), HOST_PIDNS, "pids",
                    Duration.ofSeconds(2))) {
                ContainerResolver.Resolution r = resolver.resolve(ns);
                assertThat(r.complete()).as("runc's state was read").isTrue();
                assertThat(r.info().id()).isEqualTo(id);
                assertThat(r.info().runtime()).as("state roots " + sources.stateRoots()).isEqualTo("containerd");
                assertThat(r.info().name()).as("containerd's record read").isEqualTo("app");
                assertThat(r.info().podName()).isEqualTo("checkout-5c7d8");
            }
        }
    }

    /**
     * A container made in containerd's k8s.io namespace with {@code labels} (its id: {@code prefix}
     * and random digits) whose runc is creating it now under containerd's shim, as /proc in
     * {@code tmp} shows it: {@code runc --root runcRoot create --bundle BUNDLE ID} (pid 50), the
     * shim (pid 40) above it, BUNDLE in a directory laid out as the shim's ({@link #bundleOf}).
     */
    private static String creatingUnderTheShim(String prefix, List<String> labels, Path tmp, Path runcRoot) throws Exception {
        byte[] random = new byte[8];
        ThreadLocalRandom.current().nextBytes(random);
        String id = prefix + HexFormat.of().formatHex(random);
        create("k8s.io", id, labels);
        Path proc = tmp.resolve("proc");
        Path bundle = Files.createDirectories(bundleOf(tmp, id));
        ProcTree.process(proc, HOST_PIDNS, 50, 4026531841L, "runc", 40, "runc", "--root", runcRoot.toString(),
                "create", "--bundle", bundle.toString(), id);
        ProcTree.process(proc, HOST_PIDNS, 40, 4026531841L, "containerd-shim", 1, "containerd-shim-runc-v2", "-namespace", "k8s.io");
        return id;
    }

    private static Path bundleOf(Path tmp, String id) {
        return tmp.resolve("io.containerd.runtime.v2.task/k8s.io").resolve(id);
    }

    @Test
    void theNamespaceComesFromTheShimsBundlePath() {
        assertThat(ContainerdMetadata.namespaceOf(Path.of("/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc")))
                .isEqualTo("k8s.io");
        assertThat(ContainerdMetadata.namespaceOf(Path.of("/tmp/bundle/abc"))).isNull();
        assertThat(ContainerdMetadata.namespaceOf(null)).isNull();
    }
}
