package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Podman's containers/storage: a container's OCI bundle is GRAPHROOT/DRIVER-containers/ID/userdata,
 * and GRAPHROOT/DRIVER-containers/containers.json names it and its image. Reading the file works
 * without a podman service and for containers that already exited. Its images (and their labels)
 * are listed in GRAPHROOT/DRIVER-images/images.json.
 */
final class PodmanStorage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern IMAGE_ID = Pattern.compile("[0-9a-f]{64}");

    /** Name and image of a podman container. */
    record Names(String name, String image) {}

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
        if (ref == null || ref.isEmpty()) {
            return new ImageLabels.Missing("no image reference");
        }
        String wanted = ref.startsWith("sha256:") ? ref.substring("sha256:".length()) : ref;
        if (!Files.isDirectory(graphRoot)) {
            return new ImageLabels.Missing("no podman storage at " + graphRoot);
        }
        try (RootOnlyDirectory root = RootOnlyDirectory.open(graphRoot)) {
            for (String images : root.names(n -> n.endsWith("-images"))) {
                try (RootOnlyDirectory dir = root.child(images)) {
                    if (!dir.has("images.json")) {
                        continue;
                    }
                    for (JsonNode image : JSON.readTree(dir.read("images.json", ImageConfig.MAX_BLOB))) {
                        String id = image.path("id").asText("");
                        if (IMAGE_ID.matcher(id).matches() && (id.equals(wanted) || named(image, ref))) {
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

    static Optional<Names> lookup(Path bundle, String id) {
        Optional<Path> containersDir = containersDirOf(bundle);
        if (containersDir.isEmpty()) {
            return Optional.empty();
        }
        Path index = containersDir.get().resolve("containers.json");
        if (!Files.isRegularFile(index)) {
            return Optional.empty();
        }
        try {
            for (JsonNode c : JSON.readTree(index.toFile())) {
                if (!id.equals(c.path("id").asText())) {
                    continue;
                }
                String name = c.path("names").path(0).asText("");
                String image = "";
                String metadata = c.path("metadata").asText("");
                if (!metadata.isEmpty()) {
                    JsonNode m = JSON.readTree(metadata);
                    image = m.path("image-name").asText("");
                    if (name.isEmpty()) {
                        name = m.path("name").asText("");
                    }
                }
                if (image.isEmpty()) {
                    image = c.path("image").asText("");
                }
                return Optional.of(new Names(name, image));
            }
        } catch (IOException | RuntimeException e) {
            // Being rewritten by podman: the caller may retry later.
        }
        return Optional.empty();
    }
}
