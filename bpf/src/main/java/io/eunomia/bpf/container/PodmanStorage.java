package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Podman's containers/storage: a container's OCI bundle is GRAPHROOT/DRIVER-containers/ID/userdata,
 * and GRAPHROOT/DRIVER-containers/containers.json names it and its image. Reading the file works
 * without a podman service and for containers that already exited. Its images (and their labels)
 * are listed in GRAPHROOT/DRIVER-images/images.json. CRI-O keeps its containers in the same
 * storage, by default the same graph root: which engine made a record is told by the metadata
 * each writes into it ({@link #engineOf}).
 */
final class PodmanStorage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(PodmanStorage.class.getName());
    /** containers.json: ~1 KiB a container; past it (thousands of containers) the index is not read. */
    static final long MAX_INDEX = 16 << 20;
    private static final AtomicBoolean refusalLogged = new AtomicBoolean();

    /**
     * Name and image of a container in containers/storage, and the engine that wrote its record:
     * "podman", "cri-o", or {@link #UNKNOWN_ENGINE} when the record says neither.
     */
    record Names(String name, String image, String engine) {}

    /** A record whose metadata is neither podman's nor CRI-O's (another containers/storage user: buildah, skopeo ...). */
    static final String UNKNOWN_ENGINE = "unknown";

    private PodmanStorage() {}

    /** The graph root a podman bundle (GRAPHROOT/DRIVER-containers/ID/userdata) lives in; empty for another bundle. */
    static Optional<Path> graphRootOf(Path bundle) {
        return containersDirOf(bundle).map(Path::getParent);
    }

    /** GRAPHROOT/DRIVER-containers of a podman bundle; empty for another bundle. */
    private static Optional<Path> containersDirOf(Path bundle) {
        if (bundle == null || bundle.getFileName() == null || !bundle.getFileName().toString().equals("userdata")) {
            return Optional.empty();
        }
        Path containersDir = bundle.getParent() == null ? null : bundle.getParent().getParent();
        if (containersDir == null || containersDir.getFileName() == null
                || !containersDir.getFileName().toString().endsWith("-containers")) {
            return Optional.empty();
        }
        return Optional.of(containersDir);
    }

    /**
     * The labels of an image in the storage at {@code graphRoot}, by id or by one of its names:
     * GRAPHROOT/DRIVER-images/images.json names it, its config is the big-data item keyed by its id
     * (podman's image id is its config's digest), in a file named "=" and the key in base64; read
     * once per id ({@code cache}). Missing when no such storage, or it holds no such image.
     * Unreadable when it cannot be read now (being rewritten), or safely: the graph root may come
     * from a runtime's command line (a rootless user's storage), so its directories must be root's
     * and writable by root alone (then no one else can swap a file between the check and the open),
     * its files regular (a FIFO would block this thread), root's, not links, at most
     * {@link ImageConfig#MAX_BLOB} bytes.
     */
    static ImageLabels imageLabels(Path graphRoot, String ref, ImageLabelCache cache) {
        return imageLabels(graphRoot, false, ref, cache);
    }

    /**
     * The same, of the storage a podman bundle lives in. {@code fromCommand}: the bundle came off a
     * runtime's command line, so no link is followed to the graph root; one from the runtime's own
     * state, like a configured one, may be reached through a link (/var/lib/containers on a data disk).
     */
    static ImageLabels imageLabelsOfBundle(Path bundle, boolean fromCommand, String ref, ImageLabelCache cache) {
        return graphRootOf(bundle).map(root -> imageLabels(root, fromCommand, ref, cache))
                .orElseGet(() -> new ImageLabels.Missing(bundle + " is no podman bundle"));
    }

    private static ImageLabels imageLabels(Path graphRoot, boolean withoutLinks, String ref, ImageLabelCache cache) {
        if (ref == null || ref.isEmpty()) {
            return new ImageLabels.Missing("no image reference");
        }
        String wanted = ref.startsWith("sha256:") ? ref.substring("sha256:".length()) : ref;
        if (!Files.isDirectory(graphRoot)) {
            return new ImageLabels.Missing("no podman storage at " + graphRoot);
        }
        try (RootOnlyDirectory root = withoutLinks ? RootOnlyDirectory.openWithoutLinks(graphRoot) : RootOnlyDirectory.open(graphRoot)) {
            for (String images : root.names(n -> n.endsWith("-images"))) {
                try (RootOnlyDirectory dir = root.child(images)) {
                    if (!dir.has("images.json")) {
                        continue;
                    }
                    for (JsonNode image : JSON.readTree(dir.read("images.json", ImageConfig.MAX_BLOB))) {
                        String id = image.path("id").asText("");
                        if (CreatedFromImages.isImageId("sha256:" + id) && (id.equals(wanted) || named(image, ref))) {
                            return cache.get("sha256:" + id, () -> config(dir, id));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return new ImageLabels.Unreadable("podman storage " + graphRoot + ": " + e.getMessage());
        }
        return new ImageLabels.Missing("podman storage " + graphRoot + " has no image " + ref);
    }

    /**
     * The engine that wrote a containers.json record, by the metadata it keeps there. CRI-O's
     * (cri-o/cri-o internal/storage/runtime.go, RuntimeContainerMetadata) always holds its pod's name
     * and id ("pod-name", "pod-id": mandatory, a container is refused without them); podman's
     * (libpod's RuntimeContainerMetadata, what a real podman writes: {@code PodmanStorageTest}) holds
     * the image and the container's name ("image-name", "name", "created-at") and no pod keys: podman's
     * pods live in its own database. A record with neither shape names no engine: never a guess.
     */
    static String engineOf(JsonNode metadata) {
        if (!metadata.path("pod-id").asText("").isEmpty() && !metadata.path("pod-name").asText("").isEmpty()) {
            return "cri-o";
        }
        if (!metadata.has("pod-id") && !metadata.has("pod-name") && !metadata.path("name").asText("").isEmpty()
                && metadata.has("created-at")) {
            return "podman";
        }
        return UNKNOWN_ENGINE;
    }

    private static ImageLabels config(RootOnlyDirectory images, String id) {
        String file = "=" + Base64.getEncoder().encodeToString(("sha256:" + id).getBytes(StandardCharsets.UTF_8));
        try (RootOnlyDirectory dir = images.child(id)) {
            return ImageLabels.ofConfig(JSON.readTree(dir.read(file, ImageConfig.MAX_BLOB)).path("config"));
        } catch (IOException | RuntimeException e) {
            return new ImageLabels.Unreadable("podman image " + id + " in " + images + ": " + e.getMessage());
        }
    }

    private static boolean named(JsonNode image, String ref) {
        for (JsonNode n : image.path("names")) {
            if (ref.equals(n.asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The name and image of container {@code id} as GRAPHROOT/DRIVER-containers/containers.json of
     * its bundle's storage lists them. The bundle may come from a runtime's command line, which a
     * rootless user (or root in a container) writes: the index is read only as {@link #imageLabels}
     * reads, from a directory that is root's alone, a regular root-owned
     * file of at most {@link #MAX_INDEX} bytes. A rootless podman's storage is its user's: its
     * containers are not named from it (they keep the id and runtime their cgroup and runtime
     * process tell). Empty when the storage is not root's alone (said once), not podman's, or being
     * rewritten (asked again later). {@code fromCommand}: the bundle came off a runtime's command
     * line, so no link is followed to the storage; a bundle from the runtime's own (root-written) state
     * may lead through one (a graph root such as /var/lib/containers linked to a data disk).
     */
    static Optional<Names> lookup(Path bundle, boolean fromCommand, String id) {
        Optional<Path> containersDir = containersDirOf(bundle);
        if (containersDir.isEmpty()) {
            return Optional.empty();
        }
        byte[] index;
        try (RootOnlyDirectory dir = fromCommand ? RootOnlyDirectory.openWithoutLinks(containersDir.get())
                : RootOnlyDirectory.open(containersDir.get())) {
            if (!dir.has("containers.json")) {
                return Optional.empty();
            }
            index = dir.read("containers.json", MAX_INDEX);
        } catch (IOException | RuntimeException e) {
            if (!refusalLogged.getAndSet(true)) {
                LOG.log(System.Logger.Level.WARNING, "podman storage " + containersDir.get() + " not read: " + e.getMessage()
                        + "; containers of storages that are not root's alone are named by id (logged once)");
            }
            return Optional.empty();
        }
        try {
            for (JsonNode c : JSON.readTree(index)) {
                if (!id.equals(c.path("id").asText())) {
                    continue;
                }
                String name = c.path("names").path(0).asText("");
                String image = "";
                String metadata = c.path("metadata").asText("");
                JsonNode m = metadata.isEmpty() ? JSON.missingNode() : JSON.readTree(metadata);
                image = m.path("image-name").asText("");
                if (name.isEmpty()) {
                    name = m.path("name").asText("");
                }
                if (image.isEmpty()) {
                    image = c.path("image").asText("");
                }
                return Optional.of(new Names(name, image, engineOf(m)));
            }
        } catch (IOException | RuntimeException e) {
            // Being rewritten by podman: the caller may retry later.
        }
        return Optional.empty();
    }
}
