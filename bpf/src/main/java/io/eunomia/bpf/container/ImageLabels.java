package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What asking for an image's labels found. Three answers, because they settle a container's
 * {@code io.kubernetes.*} labels differently: the labels (trust what the image does not hold),
 * no such image (removed or retagged, maybe to hide what it carried: trust nothing, for good),
 * or not readable now (a daemon timed out, podman is rewriting its index, an unsafe file: trust
 * nothing yet and ask again).
 */
sealed interface ImageLabels {
    /** The image's config labels ({@code config.Labels}; none is an empty map). */
    record Known(Map<String, String> labels) implements ImageLabels {
        public Known {
            labels = Map.copyOf(labels);
        }
    }

    /** The source answered and holds no such image. */
    record Missing(String where) implements ImageLabels {}

    /** The source could not be read now; asking again may tell. */
    record Unreadable(String why) implements ImageLabels {}

    /**
     * The labels of an image config's {@code config} object (OCI and podman spell it {@code config},
     * the Engine API {@code Config}): its {@code Labels}, values as text.
     */
    static Known ofConfig(JsonNode config) {
        Map<String, String> labels = new LinkedHashMap<>();
        config.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return new Known(labels);
    }

    /** The first of two answers that is known; else unreadable if either was (asking again may tell); else missing. */
    default ImageLabels or(java.util.function.Supplier<ImageLabels> other) {
        if (this instanceof Known) {
            return this;
        }
        ImageLabels next = other.get();
        if (next instanceof Known || this instanceof Missing) {
            return next;
        }
        return this; // this unreadable, the other not known
    }
}
