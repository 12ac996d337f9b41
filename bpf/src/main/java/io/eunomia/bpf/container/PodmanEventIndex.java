package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The containers podman's own events named, read from where its events logger writes them (a file,
 * the journal) on demand: a lookup that misses reads what was written since the last one
 * ({@link #catchUp}, bounded by the reader) and looks again. One reader of the log at a time;
 * lookups of known containers and the count never wait for it. Bounded: the container looked up
 * least recently of {@code capacity} is forgotten first (counted; a long-running container's
 * name, looked up again and again, stays).
 */
abstract sealed class PodmanEventIndex implements AutoCloseable permits PodmanEventLog, PodmanJournal {
    static final int CAPACITY = 4096;
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");

    /** Guarded by itself, held only for a get or a put: never over reading the log. */
    private final Map<String, EngineEvents.Names> byId;
    private final LongAdder forgotten = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    /** Held over a catch-up: one reader of the log at a time; guards the subclass's read position. */
    private final Object reading = new Object();

    PodmanEventIndex(int capacity) {
        this.byId = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EngineEvents.Names> eldest) {
                if (size() > capacity) {
                    forgotten.increment();
                    return true;
                }
                return false;
            }
        };
    }

    /** The container with this full id as the log names it, reading what was written since the last look. */
    final Optional<EngineEvents.Names> lookup(String id) {
        Optional<EngineEvents.Names> known = known(id);
        if (known.isPresent() || !HEX_ID.matcher(id).matches()) {
            return known;
        }
        synchronized (reading) {
            known = known(id); // another lookup's catch-up may have read it meanwhile
            if (known.isEmpty()) {
                catchUp();
                known = known(id);
            }
        }
        return known;
    }

    /**
     * Reads the log now, as a lookup's miss would (for a reader whose first look is slow: the
     * journal's loads libsystemd and reads its tail, 1-3 s in a fresh JVM), so that misses later find
     * it done.
     */
    final void readAhead() {
        synchronized (reading) {
            catchUp();
        }
    }

    /** Containers forgotten because {@code capacity} others were looked up or seen since. */
    final long forgotten() {
        return forgotten.sum();
    }

    /** Container events skipped unread: a field or line too long to take, labels that do not parse. */
    final long skipped() {
        return skipped.sum();
    }

    /** Counts one event skipped. */
    final void countSkipped() {
        skipped.increment();
    }

    /** Reads what the log holds past the last read, bounded, passing each container event to {@link #take}. */
    abstract void catchUp();

    /** Lets go of what a catch-up holds open between looks (called with the reader's lock held). */
    void release() {}

    /** Releases what the reader holds open; a later lookup opens it again. */
    @Override
    public final void close() {
        synchronized (reading) {
            release();
        }
    }

    /**
     * One container event's fields as podman logs them with every backend: the full id, the name,
     * the image and the attributes (the container's labels). An event without an id or a name is
     * someone else's: ignored.
     */
    final void take(String id, String name, String image, JsonNode attributes) {
        if (!HEX_ID.matcher(id).matches() || name.isEmpty()) {
            return;
        }
        EngineEvents.Names names = new EngineEvents.Names(name, image, attributes.path(PodLabels.POD_NAME).asText(""),
                attributes.path(PodLabels.POD_NAMESPACE).asText(""));
        synchronized (byId) {
            byId.put(id, names);
        }
    }

    private Optional<EngineEvents.Names> known(String id) {
        synchronized (byId) {
            return Optional.ofNullable(byId.get(id));
        }
    }
}
