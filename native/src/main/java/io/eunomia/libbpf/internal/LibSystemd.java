package io.eunomia.libbpf.internal;

import static io.eunomia.libbpf.internal.Native.C_INT;
import static io.eunomia.libbpf.internal.Native.C_LONG;
import static io.eunomia.libbpf.internal.Native.C_POINTER;
import static io.eunomia.libbpf.internal.Native.C_SIZE_T;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Raw downcall handles into the system {@code libsystemd.so.0}: the reading half of sd-journal
 * (stable since systemd 209). sd-journal returns {@code -errno} itself, so no handle captures errno.
 * Loaded at first use: a host without libsystemd gets {@link LibSystemdMissingError} then, not
 * earlier. Callers use {@code io.eunomia.libbpf.SystemdJournal}; nothing here checks results.
 */
public final class LibSystemd {
    public static final String LIBRARY = "libsystemd.so.0";
    private static final SymbolLookup LIB = load();

    public static final MethodHandle OPEN_DIRECTORY = fn("sd_journal_open_directory", C_INT, C_POINTER, C_POINTER, C_INT);
    public static final MethodHandle CLOSE = fn("sd_journal_close", null, C_POINTER);
    public static final MethodHandle ADD_MATCH = fn("sd_journal_add_match", C_INT, C_POINTER, C_POINTER, C_SIZE_T);
    public static final MethodHandle SET_DATA_THRESHOLD = fn("sd_journal_set_data_threshold", C_INT, C_POINTER, C_SIZE_T);
    public static final MethodHandle GET_FD = fn("sd_journal_get_fd", C_INT, C_POINTER);
    public static final MethodHandle PROCESS = fn("sd_journal_process", C_INT, C_POINTER);
    public static final MethodHandle SEEK_TAIL = fn("sd_journal_seek_tail", C_INT, C_POINTER);
    public static final MethodHandle PREVIOUS_SKIP = fn("sd_journal_previous_skip", C_INT, C_POINTER, C_LONG);
    public static final MethodHandle NEXT = fn("sd_journal_next", C_INT, C_POINTER);
    public static final MethodHandle GET_DATA = fn("sd_journal_get_data", C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
    /** The current entry's cursor, a string sd-journal mallocs: the caller frees it with {@link #FREE}. */
    public static final MethodHandle GET_CURSOR = fn("sd_journal_get_cursor", C_INT, C_POINTER, C_POINTER);
    public static final MethodHandle SEEK_CURSOR = fn("sd_journal_seek_cursor", C_INT, C_POINTER, C_POINTER);
    public static final MethodHandle TEST_CURSOR = fn("sd_journal_test_cursor", C_INT, C_POINTER, C_POINTER);
    /** libc's free (libsystemd links it): for what sd_journal_get_cursor returns. */
    public static final MethodHandle FREE = Native.plainDowncall(java.lang.foreign.Linker.nativeLinker().defaultLookup(),
            "free", FunctionDescriptor.ofVoid(C_POINTER));

    /** sd_journal_open_directory flag: only the system's files (system.journal), not users' (user-UID.journal). */
    public static final int SD_JOURNAL_SYSTEM = 1 << 2;

    private LibSystemd() {}

    private static SymbolLookup load() {
        try {
            return SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new LibSystemdMissingError("libsystemd (" + LIBRARY + ") could not be loaded: " + e.getMessage()
                    + "; install it with: apt-get install libsystemd0");
        }
    }

    private static MethodHandle fn(String name, MemoryLayout ret, MemoryLayout... args) {
        FunctionDescriptor fd = ret == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(ret, args);
        return Native.plainDowncall(LIB, name, fd);
    }

    /** Thrown once, at first use, when libsystemd is absent (a host without systemd): not a bug. */
    public static final class LibSystemdMissingError extends LinkageError {
        public LibSystemdMissingError(String message) {
            super(message);
        }
    }
}
