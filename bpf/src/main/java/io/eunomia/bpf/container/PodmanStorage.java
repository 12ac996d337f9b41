package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
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
        if (bundle == null || bundle.getFileName() == null || !bundle.getFileName().toString().equals("userdata")) {
            return Optional.empty();
        }
        Path containersDir = bundle.getParent() == null ? null : bundle.getParent().getParent();
        if (containersDir == null || containersDir.getFileName() == null
                || !containersDir.getFileName().toString().endsWith("-containers")) {
            return Optional.empty();
        }
        return Optional.ofNullable(containersDir.getParent());
    }

    /**
     * The labels of an image in the storage at {@code graphRoot}, by id or by one of its names:
     * GRAPHROOT/DRIVER-images/images.json names it, its config is the big-data item keyed by its id
     * (podman's image id is its config's digest), in a file named "=" and the key in base64. Empty
     * when the storage holds no such image, or not readably now.
     */
    static Optional<Map<String, String>> imageLabels(Path graphRoot, String ref) {
        if (ref == null || ref.isEmpty()) {
            return Optional.empty();
        }
        String wanted = ref.startsWith("sha256:") ? ref.substring("sha256:".length()) : ref;
        try (var dirs = Files.list(graphRoot)) {
            for (Path images : dirs.filter(d -> d.getFileName().toString().endsWith("-images")).toList()) {
                Path index = images.resolve("images.json");
                if (!Files.isRegularFile(index)) {
                    continue;
                }
                for (JsonNode image : JSON.readTree(index.toFile())) {
                    String id = image.path("id").asText("");
                    if (!IMAGE_ID.matcher(id).matches() || !(id.equals(wanted) || named(image, ref))) {
                        continue;
                    }
                    String key = "sha256:" + id;
                    Path config = images.resolve(id).resolve("=" + Base64.getEncoder().encodeToString(
                            key.getBytes(StandardCharsets.UTF_8)));
                    Map<String, String> labels = new LinkedHashMap<>();
                    JSON.readTree(config.toFile()).path("config").path("Labels").properties()
                            .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
                    return Optional.of(labels);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No such storage, or being rewritten by podman: not known now.
        }
        return Optional.empty();
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
        if (bundle == null || !bundle.getFileName().toString().equals("userdata") || bundle.getParent() == null) {
            return Optional.empty();
        }
        Path containersDir = bundle.getParent().getParent();
        if (containersDir == null || !containersDir.getFileName().toString().endsWith("-containers")) {
            return Optional.empty();
        }
        Path index = containersDir.resolve("containers.json");
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
