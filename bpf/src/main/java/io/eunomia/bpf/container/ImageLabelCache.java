package io.eunomia.bpf.container;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Image labels by image id (a digest: what it names never changes), so a node's many containers of
 * one image cost one read of it. Bounded: the image asked for least recently of {@link #CAPACITY} is
 * forgotten first. Only labels that were read are remembered: a missing or unreadable image is
 * asked again next time.
 */
final class ImageLabelCache {
    static final int CAPACITY = 512;
    private final Map<String, ImageLabels.Known> byId = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ImageLabels.Known> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The labels of image {@code id}: remembered, else {@code load}ed (outside the lock) and remembered when read. */
    ImageLabels get(String id, Supplier<ImageLabels> load) {
        synchronized (byId) {
            ImageLabels.Known known = byId.get(id);
            if (known != null) {
                return known;
            }
        }
        ImageLabels loaded = load.get();
        if (loaded instanceof ImageLabels.Known k) {
            synchronized (byId) {
                byId.put(id, k);
            }
        }
        return loaded;
    }
}
