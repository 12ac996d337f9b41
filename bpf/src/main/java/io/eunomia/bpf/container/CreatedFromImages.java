package io.eunomia.bpf.container;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The image each container was created from, by its id (a digest: it names that image for good),
 * as the engine listed the container while it lived. Once the container is gone only its events
 * name its image, by the name it was run with, and a name can be tagged onto another image
 * meanwhile: its labels would be another image's. Bounded: the container recorded or looked up
 * least recently of {@code capacity} is forgotten first (counted; its image is then unknown, as if
 * never seen), so a long-lived container the engine keeps listing stays.
 */
final class CreatedFromImages {
    private final Map<String, String> byContainer;
    private final LongAdder forgotten = new LongAdder();

    CreatedFromImages(int capacity) {
        // Access order: recording a container again, or looking it up, makes it the newest.
        this.byContainer = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                if (size() > capacity) {
                    forgotten.increment();
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Whether {@code ref} is an image id (as the Engine API gives it, {@code ImageID}, or a container
     * may be run with), not a name: what it names cannot change.
     */
    static boolean isImageId(String ref) {
        return ImageConfig.DIGEST.matcher(ref).matches();
    }

    /** Remembers the image of a live container; anything but an image id is ignored. */
    void record(String containerId, String imageId) {
        if (isImageId(imageId)) {
            synchronized (byContainer) {
                byContainer.put(containerId, imageId);
            }
        }
    }

    /** The image the container was created from, if it was seen while it lived. */
    Optional<String> of(String containerId) {
        synchronized (byContainer) {
            return Optional.ofNullable(byContainer.get(containerId));
        }
    }

    /** Containers forgotten to stay bounded. */
    long forgotten() {
        return forgotten.sum();
    }
}
