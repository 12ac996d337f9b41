package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An OCI (or Docker v2) image in a content store of blobs by digest ({@code BLOBS/sha256/HEX}):
 * from a manifest or an index to the image's config and its labels. Digests are checked before
 * they name a file; a blob larger than {@link #MAX_BLOB} is not read.
 */
final class ImageConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A sha256 digest: a blob's name, and an image's id (its config's digest). */
    static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    static final long MAX_BLOB = 4 << 20;
    /** Nested indexes followed at most this deep. */
    private static final int MAX_DEPTH = 4;

    private ImageConfig() {}

    /** The digest of the config of the image whose manifest or index has this digest. */
    static Optional<String> configDigest(Path blobs, String digest) {
        return configDigest(blobs, digest, 0);
    }

    private static Optional<String> configDigest(Path blobs, String digest, int depth) {
        Optional<JsonNode> doc = blob(blobs, digest);
        if (doc.isEmpty() || depth > MAX_DEPTH) {
            return Optional.empty();
        }
        JsonNode d = doc.get();
        if (d.has("config")) {
            return Optional.of(d.path("config").path("digest").asText("")).filter(x -> DIGEST.matcher(x).matches());
        }
        for (JsonNode m : d.path("manifests")) {
            JsonNode p = m.path("platform");
            if (p.path("os").asText("linux").equals("linux") && p.path("architecture").asText(ARCH).equals(ARCH)) {
                return configDigest(blobs, m.path("digest").asText(""), depth + 1);
            }
        }
        return Optional.empty();
    }

    /** The labels of the config blob with this digest ({@code config.Labels}; none is an empty map). */
    static ImageLabels labels(Path blobs, String configDigest) {
        return blob(blobs, configDigest).<ImageLabels>map(c -> ImageLabels.ofConfig(c.path("config")))
                .orElseGet(() -> new ImageLabels.Unreadable("config blob " + configDigest + " in " + blobs
                        + " missing, unreadable or over " + MAX_BLOB + " bytes"));
    }

    private static Optional<JsonNode> blob(Path blobs, String digest) {
        if (!DIGEST.matcher(digest).matches()) {
            return Optional.empty();
        }
        Path file = blobs.resolve("sha256").resolve(digest.substring("sha256:".length()));
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BLOB) {
                return Optional.empty();
            }
            return Optional.of(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** This machine's architecture as OCI platforms name it. */
    private static final String ARCH = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> "amd64";
        case "aarch64" -> "arm64";
        case "arm" -> "arm";
        default -> System.getProperty("os.arch");
    };
}
