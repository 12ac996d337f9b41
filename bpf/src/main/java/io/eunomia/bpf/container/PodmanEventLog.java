package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * podman's own event log with the "file" backend ({@code events_logger = "file"}; podman 4 falls back
 * to it where journald does not run, as here): one JSON object a line, appended by the podman
 * process itself, so it needs no API service. A container's "create" line (id, name, image, labels)
 * is written before its runtime state exists, hence before its process runs, and the file keeps it
 * after {@code --rm} removed every other record (measured: bench/README.md, "podman's records of a
 * --rm container").
 *
 * <p>Read on demand: a lookup that misses reads what was appended since the last one (a local file,
 * at most {@link #MAX_CATCH_UP} bytes a look) and looks again. Bounded: the first look starts
 * {@link #START_TAIL} bytes before the end, the oldest of {@link #CAPACITY} containers is forgotten
 * first (counted), and a line longer than {@link #MAX_LINE} is skipped. A rotated log (podman
 * replaces the file, or truncates it) is read again from its start.
 */
final class PodmanEventLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");
    static final int CAPACITY = 4096;
    static final long START_TAIL = 1 << 20;
    static final long MAX_CATCH_UP = 8 << 20;
    static final int MAX_LINE = 1 << 16;
    private static final String POD_NAME = "io.kubernetes.pod.name";
    private static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    /** Cheap pre-filter: only container events are parsed. */
    private static final byte[] CONTAINER_TYPE = "\"Type\":\"container\"".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final Map<String, EngineEvents.Names> byId;
    private final LongAdder forgotten = new LongAdder();
    /** The file last read (its inode) and where the next read starts; -1: not read yet. */
    private Object fileKey;
    private long offset = -1;
    /** A line cut by the end of the last read, kept for the next one. */
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private boolean skippingLongLine;

    PodmanEventLog(Path file) {
        this.file = file;
        this.byId = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EngineEvents.Names> eldest) {
                if (size() > CAPACITY) {
                    forgotten.increment();
                    return true;
                }
                return false;
            }
        };
    }

    Path file() {
        return file;
    }

    /** The container with this full id as the log names it, reading what was appended since the last look. */
    synchronized Optional<EngineEvents.Names> lookup(String id) {
        EngineEvents.Names known = byId.get(id);
        if (known != null || !HEX_ID.matcher(id).matches()) {
            return Optional.ofNullable(known);
        }
        catchUp();
        return Optional.ofNullable(byId.get(id));
    }

    /** Containers forgotten because {@link #CAPACITY} newer ones were seen. */
    synchronized long forgotten() {
        return forgotten.sum();
    }

    private void catchUp() {
        BasicFileAttributes attrs;
        try {
            // Not through a symlink: the path is configuration, but what it points at could be swapped.
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return; // no podman ran yet, or another backend: nothing to read
        }
        if (!attrs.isRegularFile()) {
            return;
        }
        long size = attrs.size();
        Object key = attrs.fileKey();
        if (offset < 0) {
            offset = Math.max(0, size - START_TAIL);
            skippingLongLine = offset > 0; // a line cut by the tail's start
            fileKey = key;
        } else if (!java.util.Objects.equals(key, fileKey) || size < offset) {
            offset = 0; // rotated: the new file holds the newest events
            partial.reset();
            skippingLongLine = false;
            fileKey = key;
        }
        if (size <= offset) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long end = Math.min(size, offset + MAX_CATCH_UP);
            ByteBuffer buf = ByteBuffer.allocate(64 << 10);
            while (offset < end) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), end - offset));
                int n = ch.read(buf, offset);
                if (n <= 0) {
                    break;
                }
                offset += n;
                take(buf.array(), n);
            }
        } catch (IOException e) {
            // Being rotated: the next look reads the new file.
        }
    }

    private void take(byte[] bytes, int n) {
        for (int i = 0; i < n; i++) {
            byte b = bytes[i];
            if (b != '\n') {
                if (skippingLongLine) {
                    continue;
                }
                partial.write(b);
                if (partial.size() > MAX_LINE) {
                    partial.reset();
                    skippingLongLine = true;
                }
                continue;
            }
            if (!skippingLongLine) {
                line(partial.toByteArray());
            }
            skippingLongLine = false;
            partial.reset();
        }
    }

    private void line(byte[] line) {
        if (!contains(line, CONTAINER_TYPE)) {
            return;
        }
        try {
            JsonNode e = JSON.readTree(line);
            String id = e.path("ID").asText("");
            String name = e.path("Name").asText("");
            if (!HEX_ID.matcher(id).matches() || name.isEmpty()) {
                return;
            }
            JsonNode attributes = e.path("Attributes");
            byId.put(id, new EngineEvents.Names(name, e.path("Image").asText(""), attributes.path(POD_NAME).asText(""),
                    attributes.path(POD_NAMESPACE).asText("")));
        } catch (IOException e) {
            // A line being written as we read is cut, not corrupt: it ends with no newline and waits in
            // partial. A line that does not parse is someone else's: skipped.
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
