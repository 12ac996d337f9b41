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
 * {@link #START_TAIL} bytes before the end, the container looked up least recently of
 * {@link #CAPACITY} is forgotten first (counted; a long-running container's name, looked up again
 * and again, stays), and a line longer than {@link #MAX_LINE} is skipped. A rotated log (podman
 * replaces the file, or truncates it) is read again from its start. Lookups of known containers
 * and the count never wait for a catch-up's file reading.
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
    private final int capacity;
    /** Guarded by itself, held only for a get or a put: never over file reading. */
    private final Map<String, EngineEvents.Names> byId;
    private final LongAdder forgotten = new LongAdder();
    /** Held over a catch-up: one reader of the file at a time; guards the read position below. */
    private final Object reading = new Object();
    /** The file last read (its inode) and where the next read starts; -1: not read yet. */
    private Object fileKey;
    private long offset = -1;
    /** A line cut by the end of the last read, kept for the next one. */
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private boolean skippingLongLine;

    PodmanEventLog(Path file) {
        this(file, CAPACITY);
    }

    PodmanEventLog(Path file, int capacity) {
        this.file = file;
        this.capacity = capacity;
        this.byId = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EngineEvents.Names> eldest) {
                if (size() > PodmanEventLog.this.capacity) {
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
    Optional<EngineEvents.Names> lookup(String id) {
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

    private Optional<EngineEvents.Names> known(String id) {
        synchronized (byId) {
            return Optional.ofNullable(byId.get(id));
        }
    }

    /** Containers forgotten because {@link #CAPACITY} others were looked up or seen since. */
    long forgotten() {
        return forgotten.sum();
    }

    private void catchUp() {
        Optional<Object> opened = regularFileKey();
        if (opened.isEmpty()) {
            return; // no podman ran yet, or another backend: nothing to read
        }
        // Not through a symlink: the path is configuration, but what it points at could be swapped.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            // The path's file before and after the open is the same one: the open one (a rotation
            // in between would show a new file after). Else rotated meanwhile: the next look reads it.
            if (regularFileKey().equals(opened)) {
                read(ch, opened.get(), ch.size()); // the size of the open file, not of the path's
            }
        } catch (IOException e) {
            // Rotated or removed meanwhile: the next look reads the new file.
        }
    }

    /** The identity (device and inode) of the regular file at the path, not through a symlink. */
    private Optional<Object> regularFileKey() {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.isRegularFile() ? Optional.ofNullable(attrs.fileKey()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Reads what the open file KEY of SIZE bytes holds past the last read (all of it when it is another file). */
    private void read(FileChannel ch, Object key, long size) throws IOException {
        if (offset < 0) {
            offset = Math.max(0, size - START_TAIL);
            skippingLongLine = offset > 0; // a line cut by the tail's start
            fileKey = key;
        } else if (!key.equals(fileKey) || size < offset) {
            offset = 0; // rotated: the new file holds the newest events
            partial.reset();
            skippingLongLine = false;
            fileKey = key;
        }
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
            EngineEvents.Names names = new EngineEvents.Names(name, e.path("Image").asText(""),
                    attributes.path(POD_NAME).asText(""), attributes.path(POD_NAMESPACE).asText(""));
            synchronized (byId) {
                byId.put(id, names);
            }
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
