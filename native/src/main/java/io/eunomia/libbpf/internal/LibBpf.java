package io.eunomia.libbpf.internal;

import static io.eunomia.libbpf.internal.Native.C_BOOL;
import static io.eunomia.libbpf.internal.Native.C_INT;
import static io.eunomia.libbpf.internal.Native.C_LONG;
import static io.eunomia.libbpf.internal.Native.C_POINTER;
import static io.eunomia.libbpf.internal.Native.C_SIZE_T;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Raw downcall handles into the system {@code libbpf.so.1} (1.1.x API). Every handle that can fail
 * takes the errno capture segment ({@link Native#callState()}) as its first argument.
 * Callers use the typed wrappers in {@code io.eunomia.libbpf}; nothing here checks results.
 */
public final class LibBpf {
    /** The system libbpf (1.x ABI), found by the dynamic loader's usual search. */
    public static final String LIBRARY = "libbpf.so.1";
    private static final SymbolLookup LIB = load();

    public static final MethodHandle OBJECT_OPEN_MEM = fn("bpf_object__open_mem", C_POINTER, C_POINTER, C_SIZE_T, C_POINTER);
    public static final MethodHandle OBJECT_LOAD = fn("bpf_object__load", C_INT, C_POINTER);
    public static final MethodHandle OBJECT_CLOSE = fn("bpf_object__close", null, C_POINTER);
    public static final MethodHandle OBJECT_NAME = fn("bpf_object__name", C_POINTER, C_POINTER);
    public static final MethodHandle OBJECT_NEXT_PROGRAM = fn("bpf_object__next_program", C_POINTER, C_POINTER, C_POINTER);
    public static final MethodHandle OBJECT_NEXT_MAP = fn("bpf_object__next_map", C_POINTER, C_POINTER, C_POINTER);

    public static final MethodHandle PROGRAM_NAME = fn("bpf_program__name", C_POINTER, C_POINTER);
    public static final MethodHandle PROGRAM_SECTION_NAME = fn("bpf_program__section_name", C_POINTER, C_POINTER);
    public static final MethodHandle PROGRAM_SET_AUTOLOAD = fn("bpf_program__set_autoload", C_INT, C_POINTER, C_BOOL);
    public static final MethodHandle PROGRAM_AUTOLOAD = fn("bpf_program__autoload", C_BOOL, C_POINTER);
    public static final MethodHandle PROGRAM_FD = fn("bpf_program__fd", C_INT, C_POINTER);
    public static final MethodHandle PROGRAM_ATTACH = fn("bpf_program__attach", C_POINTER, C_POINTER);
    public static final MethodHandle LINK_FD = fn("bpf_link__fd", C_INT, C_POINTER);
    public static final MethodHandle LINK_DESTROY = fn("bpf_link__destroy", C_INT, C_POINTER);

    public static final MethodHandle MAP_NAME = fn("bpf_map__name", C_POINTER, C_POINTER);
    public static final MethodHandle MAP_FD = fn("bpf_map__fd", C_INT, C_POINTER);
    public static final MethodHandle MAP_TYPE = fn("bpf_map__type", C_INT, C_POINTER);
    public static final MethodHandle MAP_KEY_SIZE = fn("bpf_map__key_size", C_INT, C_POINTER);
    public static final MethodHandle MAP_VALUE_SIZE = fn("bpf_map__value_size", C_INT, C_POINTER);
    public static final MethodHandle MAP_MAX_ENTRIES = fn("bpf_map__max_entries", C_INT, C_POINTER);
    public static final MethodHandle MAP_FLAGS = fn("bpf_map__map_flags", C_INT, C_POINTER);
    public static final MethodHandle MAP_SET_MAX_ENTRIES = fn("bpf_map__set_max_entries", C_INT, C_POINTER, C_INT);
    public static final MethodHandle MAP_REUSE_FD = fn("bpf_map__reuse_fd", C_INT, C_POINTER, C_INT);
    public static final MethodHandle MAP_INITIAL_VALUE = fn("bpf_map__initial_value", C_POINTER, C_POINTER, C_POINTER);
    public static final MethodHandle MAP_LOOKUP_ELEM = fn("bpf_map__lookup_elem", C_INT,
            C_POINTER, C_POINTER, C_SIZE_T, C_POINTER, C_SIZE_T, C_LONG);
    public static final MethodHandle MAP_UPDATE_ELEM = fn("bpf_map__update_elem", C_INT,
            C_POINTER, C_POINTER, C_SIZE_T, C_POINTER, C_SIZE_T, C_LONG);
    public static final MethodHandle MAP_DELETE_ELEM = fn("bpf_map__delete_elem", C_INT,
            C_POINTER, C_POINTER, C_SIZE_T, C_LONG);
    public static final MethodHandle MAP_GET_NEXT_KEY = fn("bpf_map__get_next_key", C_INT,
            C_POINTER, C_POINTER, C_POINTER, C_SIZE_T);

    public static final MethodHandle RING_BUFFER_NEW = fn("ring_buffer__new", C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER);
    public static final MethodHandle RING_BUFFER_ADD = fn("ring_buffer__add", C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER);
    public static final MethodHandle RING_BUFFER_POLL = fn("ring_buffer__poll", C_INT, C_POINTER, C_INT);
    public static final MethodHandle RING_BUFFER_EPOLL_FD = fn("ring_buffer__epoll_fd", C_INT, C_POINTER);
    public static final MethodHandle RING_BUFFER_CONSUME = fn("ring_buffer__consume", C_INT, C_POINTER);
    public static final MethodHandle RING_BUFFER_FREE = fn("ring_buffer__free", null, C_POINTER);

    public static final MethodHandle NUM_POSSIBLE_CPUS = fn("libbpf_num_possible_cpus", C_INT);
    /** libbpf_set_print(NULL) silences libbpf's own stderr output; we report errors ourselves. */
    public static final MethodHandle SET_PRINT = fn("libbpf_set_print", C_POINTER, C_POINTER);

    /** Ring buffer sample callback: int (*)(void *ctx, void *data, size_t size). */
    /**
     * ring_buffer_sample_fn(void *ctx, void *data, size_t size), its pointers taken as 64-bit integers:
     * the same registers on LP64 (x86-64, arm64), and the upcall then makes no MemorySegment per
     * argument (two per record: most of what the poller allocated, JFR).
     */
    public static final FunctionDescriptor RING_BUFFER_SAMPLE_FN = FunctionDescriptor.of(C_INT, C_LONG, C_LONG, C_SIZE_T);

    /** sizeof(struct bpf_object_open_opts) in libbpf 1.1 on LP64 and the offsets we set. */
    public static final long OPEN_OPTS_SIZE = 80;
    public static final long OPEN_OPTS_OBJECT_NAME = 8;
    public static final long OPEN_OPTS_KERNEL_LOG_BUF = 56;
    public static final long OPEN_OPTS_KERNEL_LOG_SIZE = 64;

    private LibBpf() {}

    private static SymbolLookup load() {
        try {
            return SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new LibBpfMissingError("libbpf (" + LIBRARY + ") could not be loaded: " + e.getMessage()
                    + "; install it with: apt-get install libbpf1");
        }
    }

    private static MethodHandle fn(String name, java.lang.foreign.MemoryLayout ret, java.lang.foreign.MemoryLayout... args) {
        FunctionDescriptor fd = ret == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(ret, args);
        return Native.downcall(LIB, name, fd);
    }

    /** Thrown once, at first use, when libbpf is absent: an installation problem, not a bug. */
    public static final class LibBpfMissingError extends LinkageError {
        public LibBpfMissingError(String message) {
            super(message);
        }
    }
}
