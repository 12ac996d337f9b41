package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman's containers.json is found through a bundle path that may come off a runtime's command
 * line, which a rootless user (or root in a container) writes: it is read only from a directory
 * that is root's alone, reached through no link, a regular root-owned file. A real podman's storage
 * names its container; a copy of it owned by a user, a link to it, and a containers.json that is a
 * link to a user's file name nothing (with the forged name they carry). On the code before, each
 * of the three was read and named the container "forged-by-user".
 */
class PodmanStorageTest {
    private static Podman podman;

    @BeforeAll
    static void start() {
        podman = Podman.start("localhost/eunomia-busybox:storage");
    }

    @AfterAll
    static void stop() {
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void containersJsonIsReadOnlyFromStorageThatIsRootsAloneWithoutLinks(@TempDir Path work) throws Exception {
        String name = OciRuntime.uniqueId("eun-storage");
        try (EngineContainer c = podman.start(name, Map.of(), List.of("sleep", "30"))) {
            String id = c.id();
            String driverDir = podman.containersDir().getFileName().toString();
            assertThat(PodmanStorage.lookup(podman.containersDir().resolve(id).resolve("userdata"), true, id))
                    .as("root's own storage names it").hasValueSatisfying(n -> assertThat(n.name()).isEqualTo(name));
            String forged = Files.readString(podman.containersJson()).replace(name, "forged-by-user");

            // A rootless user's storage: owned by the user (uid 65534), the index theirs to write.
            Path userStore = work.resolve("user").resolve(driverDir);
            Files.createDirectories(userStore.resolve(id).resolve("userdata"));
            Files.writeString(userStore.resolve("containers.json"), forged);
            chownTree(work.resolve("user"));
            assertThat(PodmanStorage.lookup(userStore.resolve(id).resolve("userdata"), true, id)).as("a user's storage").isEmpty();

            // The control: the same forged index as root's own regular file in a root-only directory is read.
            Path rootStore = work.resolve("root").resolve(driverDir);
            Files.createDirectories(rootStore.resolve(id).resolve("userdata"));
            Files.writeString(rootStore.resolve("containers.json"), forged);
            assertThat(PodmanStorage.lookup(rootStore.resolve(id).resolve("userdata"), true, id)).as("root's own file")
                    .hasValueSatisfying(n -> assertThat(n.name()).isEqualTo("forged-by-user"));

            // A link on the way (a user may make one anywhere of theirs), even to that root-only directory.
            Path linked = work.resolve("linked").resolve(driverDir);
            Files.createDirectories(linked.getParent());
            Files.createSymbolicLink(linked, rootStore);
            assertThat(PodmanStorage.lookup(linked.resolve(id).resolve("userdata"), true, id)).as("through a link").isEmpty();

            // A root-only directory whose containers.json is a link to a user's file.
            Path indexLinked = work.resolve("index-linked").resolve(driverDir);
            Files.createDirectories(indexLinked.resolve(id).resolve("userdata"));
            Files.createSymbolicLink(indexLinked.resolve("containers.json"), userStore.resolve("containers.json"));
            assertThat(PodmanStorage.lookup(indexLinked.resolve(id).resolve("userdata"), true, id)).as("index a link").isEmpty();
        }
    }

    /**
     * A graph root reached through a link (/var/lib/containers on a data disk): a bundle the
     * runtime's own state names there is read through the link and names the container. On the code
     * before, every storage was opened without links and the container kept its id for a name.
     */
    @Test
    void aGraphRootReachedThroughALinkStillNamesItsContainers(@TempDir Path work) throws Exception {
        String name = OciRuntime.uniqueId("eun-linked-root");
        try (EngineContainer c = podman.start(name, Map.of(), List.of("sleep", "30"))) {
            String id = c.id();
            Path linkedRoot = work.resolve("data-disk-link");
            Files.createSymbolicLink(linkedRoot, podman.graphRoot());
            Path bundle = linkedRoot.resolve(podman.containersDir().getFileName()).resolve(id).resolve("userdata");
            // The runtime's state (root's, as runc writes it) names the bundle through the link.
            ContainerResolver.Resolution r = resolvedThroughState(work, id, bundle, "podman");
            assertThat(r.info().name()).as("named from the storage behind the link").isEqualTo(name);
            assertThat(r.info().runtime()).isEqualTo("podman");
            assertThat(r.complete()).isTrue();
            // The same bundle off a command line is not followed through the link.
            assertThat(PodmanStorage.lookup(bundle, true, id)).as("from a command line").isEmpty();
        }
    }

    /**
     * CRI-O keeps its containers in the same containers/storage as podman (by default the same graph
     * root). A real podman's record names podman; the same record with the metadata CRI-O writes
     * (cri-o/cri-o internal/storage/runtime.go, RuntimeContainerMetadata: "pod-name" and "pod-id" are
     * mandatory there) names CRI-O, and one of neither shape names no engine, through the resolver as
     * well. On the code before, every record in containers.json made its container podman's.
     */
    @Test
    void criOsRecordsInTheSameStorageAreNotPodmans(@TempDir Path work) throws Exception {
        String name = OciRuntime.uniqueId("eun-crio-shape");
        try (EngineContainer c = podman.start(name, Map.of(), List.of("sleep", "30"))) {
            String id = c.id();
            assertThat(PodmanStorage.lookup(podman.containersDir().resolve(id).resolve("userdata"), true, id))
                    .as("a real podman's record").hasValueSatisfying(n -> assertThat(n.engine()).isEqualTo("podman"));
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ArrayNode index =
                    (com.fasterxml.jackson.databind.node.ArrayNode) json.readTree(Files.readString(podman.containersJson()));
            String podmanMetadata = "";
            for (com.fasterxml.jackson.databind.JsonNode rec : index) {
                if (rec.path("id").asText().equals(id)) {
                    podmanMetadata = rec.path("metadata").asText();
                    com.fasterxml.jackson.databind.node.ObjectNode crio = json.createObjectNode()
                            .put("pod-name", "checkout-5c7d8").put("pod-id", "9f".repeat(32))
                            .put("image-name", "docker.io/library/busybox:latest").put("image-id", "ab".repeat(32))
                            .put("name", "k8s_app_checkout-5c7d8_payments_0").put("metadata-name", "app")
                            .put("created-at", 1765000000L);
                    ((com.fasterxml.jackson.databind.node.ObjectNode) rec).put("metadata", json.writeValueAsString(crio));
                }
            }
            assertThat(podmanMetadata).as("podman's own metadata keys").contains("\"name\"").doesNotContain("pod-id");
            Path crioStore = work.resolve("crio").resolve(podman.containersDir().getFileName());
            Path bundle = crioStore.resolve(id).resolve("userdata");
            Files.createDirectories(bundle);
            Files.writeString(crioStore.resolve("containers.json"), json.writeValueAsString(index));
            assertThat(PodmanStorage.lookup(bundle, true, id)).as("CRI-O's record").hasValueSatisfying(n -> {
                assertThat(n.engine()).isEqualTo("cri-o");
                assertThat(n.name()).isEqualTo(name);
            });
            // Through the resolver: runc's state (CRI-O runs runc with its default root) names the bundle.
            assertThat(resolvedThroughState(work, id, bundle, "runc").info().runtime()).as("the engine of a CRI-O record")
                    .isEqualTo("cri-o");
            // Neither shape (another containers/storage user): no engine named from it.
            for (com.fasterxml.jackson.databind.JsonNode rec : index) {
                if (rec.path("id").asText().equals(id)) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) rec).put("metadata", "{\"image-name\":\"x\"}");
                }
            }
            Files.writeString(crioStore.resolve("containers.json"), json.writeValueAsString(index));
            assertThat(PodmanStorage.lookup(bundle, true, id)).hasValueSatisfying(n ->
                    assertThat(n.engine()).isEqualTo(PodmanStorage.UNKNOWN_ENGINE));
        }
    }

    /** The resolution of container id whose runtime state (root's, in a root named after stateEngine) names bundle. */
    private static ContainerResolver.Resolution resolvedThroughState(Path work, String id, Path bundle, String stateEngine)
            throws Exception {
        Path states = Files.createDirectories(work.resolve("state"));
        Files.createDirectories(states.resolve(id));
        Files.writeString(states.resolve(id).resolve("state.json"), "{\"id\":\"" + id
                + "\",\"init_process_pid\":0,\"config\":{\"labels\":[\"bundle=" + bundle + "\"]}}");
        ContainerSources sources = new ContainerSources(List.of(new ContainerSources.StateRoot(states, stateEngine)),
                List.of(), List.of(), List.of(), List.of(), List.of());
        ProcFs proc = ProcFs.system();
        try (ContainerResolver resolver = new ContainerResolver(sources, proc,
                proc.pidns((int) ProcessHandle.current().pid()).orElseThrow(), "", java.time.Duration.ofSeconds(2))) {
            return resolver.resolve(new NamespaceIdentity(4026532177L, 0, 1, "sleep", "/" + id, 900, "", 0, "", List.of()));
        }
    }

    /** Gives the tree to uid/gid 65534 (nobody), links themselves not followed. */
    static void chownTree(Path top) throws Exception {
        try (var paths = Files.walk(top)) {
            for (Path p : paths.toList()) {
                Files.setAttribute(p, "unix:uid", 65534, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", 65534, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
    }
}
