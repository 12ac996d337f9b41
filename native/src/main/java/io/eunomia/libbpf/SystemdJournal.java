package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.LibSystemd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A reader of the journal files in one directory (libsystemd's sd-journal, through FFM): matches,
 * a position that stays where the last read ended, and files journald rotates or adds picked up by
 * {@link #process()}. Not thread-safe (neither is sd-journal): one caller at a time. Close it to
 * release the files.
 *
 * <p>Every failing call throws an {@link IOException} naming the call, the directory and the errno.
 * {@link LinkageError} (a {@link LibSystemd.LibSystemdMissingError} first) when the host has no
 * libsystemd.
 */
public final class SystemdJournal implements AutoCloseable {
    private static final int ENOENT = 2;
    private static final int E2BIG = 7;

    private final Path dir;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment dataOut = arena.allocate(ValueLayout.ADDRESS);
    private final MemorySegment lengthOut = arena.allocate(ValueLayout.JAVA_LONG);
    /** The C strings of the field names asked for (a caller's fixed few), made once: a look asks thousands of times. */
    private final java.util.Map<String, MemorySegment> fieldNames = new java.util.HashMap<>();
    private MemorySegment handle;
    /** sd-journal's default; see {@link #setDataThreshold}. */
    private long dataThreshold = 64 << 10;

    private SystemdJournal(Path dir, MemorySegment handle) {
        this.dir = dir;
        this.handle = handle;
    }

    /**
     * Opens the system's journal files in {@code dir} and its machine-id sub-directories (e.g.
     * /var/log/journal; users' files are left out) and watches it for files journald adds.
     */
    public static SystemdJournal openSystemFiles(Path dir) throws IOException {
        SystemdJournal j;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int rc = (int) LibSystemd.OPEN_DIRECTORY.invokeExact(out, a.allocateFrom(dir.toString()), LibSystemd.SD_JOURNAL_SYSTEM);
            check(rc, "sd_journal_open_directory", dir);
            j = new SystemdJournal(dir, out.get(ValueLayout.ADDRESS, 0));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        try {
            // Sets up sd-journal's inotify watch: process() then sees files added after the open.
            j.check((int) LibSystemd.GET_FD.invokeExact(j.handle), "sd_journal_get_fd");
            return j;
        } catch (IOException | RuntimeException | Error e) {
            j.close();
            throw e;
        } catch (Throwable t) {
            j.close();
            throw new AssertionError(t);
        }
    }

    public Path directory() {
        return dir;
    }

    /** Only entries with {@code FIELD=value} (matches of one field are ORed, of different fields ANDed). */
    public void addMatch(String fieldEqualsValue) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            byte[] bytes = fieldEqualsValue.getBytes(StandardCharsets.UTF_8);
            MemorySegment m = a.allocate(bytes.length);
            m.copyFrom(MemorySegment.ofArray(bytes));
            check((int) LibSystemd.ADD_MATCH.invokeExact(live(), m, (long) bytes.length), "sd_journal_add_match " + fieldEqualsValue);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Field values of this size or more may come back cut short (sd-journal's hint for compressed
     * ones; it may also return more): {@link #field} refuses them.
     */
    public void setDataThreshold(long bytes) throws IOException {
        call(() -> (int) LibSystemd.SET_DATA_THRESHOLD.invokeExact(live(), bytes), "sd_journal_set_data_threshold");
        dataThreshold = bytes;
    }

    /** Takes in what changed on disk since the last call: files journald added, rotated or removed. */
    public void process() throws IOException {
        call(() -> (int) LibSystemd.PROCESS.invokeExact(live()), "sd_journal_process");
    }

    /** Puts the position after the last entry. */
    public void seekTail() throws IOException {
        call(() -> (int) LibSystemd.SEEK_TAIL.invokeExact(live()), "sd_journal_seek_tail");
    }

    /** Moves back up to n matching entries; how many it moved (0: none before the position). */
    public int previousSkip(long n) throws IOException {
        return call(() -> (int) LibSystemd.PREVIOUS_SKIP.invokeExact(live(), n), "sd_journal_previous_skip");
    }

    /** Moves to the next matching entry; false at the end (a later call sees entries written since). */
    public boolean next() throws IOException {
        return call(() -> (int) LibSystemd.NEXT.invokeExact(live()), "sd_journal_next") > 0;
    }

    /** The current entry's cursor: where {@link #seekCursor} finds it again, in a reader opened later. */
    public String cursor() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check((int) LibSystemd.GET_CURSOR.invokeExact(live(), out), "sd_journal_get_cursor");
            MemorySegment text = out.get(ValueLayout.ADDRESS, 0);
            try {
                return text.reinterpret(Long.MAX_VALUE).getString(0);
            } finally {
                LibSystemd.FREE.invokeExact(text);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Puts the position at the entry of this cursor, or where it was when journald removed it: the
     * next {@link #next} moves to it (if it is still there, see {@link #atCursor}) or to the one after.
     */
    public void seekCursor(String cursor) throws IOException {
        withCursor(LibSystemd.SEEK_CURSOR, cursor, "sd_journal_seek_cursor");
    }

    /** Whether the current entry is the one of this cursor. */
    public boolean atCursor(String cursor) throws IOException {
        return withCursor(LibSystemd.TEST_CURSOR, cursor, "sd_journal_test_cursor") > 0;
    }

    /** Calls {@code int fn(sd_journal *, const char *cursor)}. */
    private int withCursor(java.lang.invoke.MethodHandle fn, String cursor, String what) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            return check((int) fn.invokeExact(live(), a.allocateFrom(cursor)), what);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The value of the current entry's field (its bytes after {@code NAME=}); empty when the entry
     * has no such field. A value of the data threshold's size or more (maybe cut) is an IOException.
     */
    public Optional<byte[]> field(String name) throws IOException {
        try {
            MemorySegment cName = fieldNames.computeIfAbsent(name, arena::allocateFrom);
            int rc = (int) LibSystemd.GET_DATA.invokeExact(live(), cName, dataOut, lengthOut);
            if (rc == -ENOENT) {
                return Optional.empty();
            }
            check(rc, "sd_journal_get_data " + name);
            long length = lengthOut.get(ValueLayout.JAVA_LONG, 0);
            int prefix = name.length() + 1;
            if (length < prefix || length >= dataThreshold) {
                throw new IOException("sd_journal_get_data " + name + " on " + dir + ": " + Errno.describe(E2BIG)
                        + " (" + length + " bytes, threshold " + dataThreshold + ")");
            }
            // The data points into sd-journal's mapping of the file, valid until the next call: copied now.
            MemorySegment data = dataOut.get(ValueLayout.ADDRESS, 0).reinterpret(length);
            return Optional.of(data.asSlice(prefix).toArray(ValueLayout.JAVA_BYTE));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void close() {
        if (handle != null) {
            try {
                LibSystemd.CLOSE.invokeExact(handle);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            handle = null;
            arena.close();
        }
    }

    private MemorySegment live() {
        if (handle == null) {
            throw new IllegalStateException("journal " + dir + " is closed");
        }
        return handle;
    }

    @FunctionalInterface
    private interface Call {
        int invoke() throws Throwable;
    }

    private int call(Call c, String what) throws IOException {
        try {
            return check(c.invoke(), what);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private int check(int rc, String what) throws IOException {
        return check(rc, what, dir);
    }

    private static int check(int rc, String what, Path dir) throws IOException {
        if (rc < 0) {
            throw new IOException(what + " on " + dir + ": " + Errno.describe(-rc));
        }
        return rc;
    }
}
