package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Podman's containers/storage: a container's OCI bundle is GRAPHROOT/DRIVER-containers/ID/userdata,
 * and GRAPHROOT/DRIVER-containers/containers.json names it and its image. Reading the file works
 * without a podman service and for containers that already exited.
 */
final class PodmanStorage {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Name and image of a podman container. */
    record Names(String name, String image) {}

    private PodmanStorage() {}

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
