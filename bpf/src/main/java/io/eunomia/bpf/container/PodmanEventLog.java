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
import java.util.Optional;

/**
 * podman's own event log with the "file" backend ({@code events_logger = "file"}; podman 4 falls back
 * to it where journald does not run, as here): one JSON object a line, appended by the podman
 * process itself, so it needs no API service. A container's "create" line (id, name, image, labels)
 * is written before its runtime state exists, hence before its process runs, and the file keeps it
 * after {@code --rm} removed every other record (measured: bench/README.md, "podman's records of a
 * --rm container").
 *
 * <p>Read on demand ({@link PodmanEventIndex}: only on a lookup's miss, bounded, least recently
 * looked up forgotten first): a look reads what was appended since the last one (a local file, at
 * most {@link #MAX_CATCH_UP} bytes). The first look starts {@link #START_TAIL} bytes before the
 * end, and a line longer than {@link #MAX_LINE} is skipped. A rotated log (podman replaces the
 * file, or truncates it) is read again from its start. The journald backend: {@link PodmanJournal}.
 */
final class PodmanEventLog extends PodmanEventIndex {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long START_TAIL = 1 << 20;
    static final long MAX_CATCH_UP = 8 << 20;
    static final int MAX_LINE = 1 << 16;
    /** Cheap pre-filter: only container events are parsed. */
    private static final byte[] CONTAINER_TYPE = "\"Type\":\"container\"".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    /**
     * Guarded by the index's one-reader-at-a-time lock: the file last read (its inode) and where the
     * next read starts; -1: not read yet.
     */
    private Object fileKey;
    private long offset = -1;
    /** A line cut by the end of the last read, kept for the next one. */
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private boolean skippingLongLine;

    PodmanEventLog(Path file) {
        this(file, CAPACITY);
    }

    PodmanEventLog(Path file, int capacity) {
        super(capacity);
        this.file = file;
    }

    Path file() {
        return file;
    }

    @Override
    void catchUp() {
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
                    countSkipped();
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
            take(e.path("ID").asText(""), e.path("Name").asText(""), e.path("Image").asText(""), e.path("Attributes"));
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
