package io.eunomia.bpf.container;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Image labels by image id (a digest: what it names never changes), so a node's many containers of
 * one image cost one read of it. Bounded: the image asked for least recently of {@link #CAPACITY} is
 * forgotten first. An image that could not be read is not remembered: asked again next time.
 */
final class ImageLabelCache {
    static final int CAPACITY = 512;
    private final Map<String, Map<String, String>> byId = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The labels of image {@code id}: remembered, else {@code load}ed (outside the lock) and remembered. */
    Optional<Map<String, String>> get(String id, Supplier<Optional<Map<String, String>>> load) {
        synchronized (byId) {
            Map<String, String> known = byId.get(id);
            if (known != null) {
                return Optional.of(known);
            }
        }
        Optional<Map<String, String>> loaded = load.get().map(Map::copyOf);
        loaded.ifPresent(labels -> {
            synchronized (byId) {
                byId.put(id, labels);
            }
        });
        return loaded;
    }
}
