package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.KernelRelease;
import io.eunomia.libbpf.internal.LibBpf;
import io.eunomia.libbpf.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ELF BPF object opened from memory. It owns everything made from it: programs, maps, links
 * and ring buffers. {@link #close()} detaches and frees all of it, so nothing of ours stays in the
 * kernel afterwards.
 *
 * <p>Life cycle: {@link #open} → configure (autoload, map sizes, read-only data) → {@link #load}
 * → {@link BpfProgram#attach} → {@link #close}. Not thread-safe; map reads are.
 */
public final class BpfObject implements AutoCloseable {
    private static final int LOG_SIZE = 4 << 20;

    static {
        silenceLibbpf();
    }

    private final String name;
    private final Arena arena;
    private final MemorySegment handle;
    private final MemorySegment logBuffer;
    /** The ELF copy and the verifier log (4 MiB, zero-filled so resident): needed until a load succeeds, not after. */
    private final Arena loadArena;
    private final Map<String, BpfProgram> programs;
    private final Map<String, BpfMap> maps;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(String name, Arena arena, Arena loadArena, MemorySegment handle, MemorySegment logBuffer) {
        this.name = name;
        this.arena = arena;
        this.loadArena = loadArena;
        this.handle = handle;
        this.logBuffer = logBuffer;
        this.programs = Collections.unmodifiableMap(listPrograms());
        this.maps = Collections.unmodifiableMap(listMaps());
    }

    /**
     * Loads libbpf.so.1 and binds its functions now, so that a host without it is reported before
     * any work starts.
     *
     * @throws LinkageError (usually ExceptionInInitializerError) naming what is missing
     */
    public static void requireLibbpf() {
        LibBpf.OBJECT_LOAD.type();
    }

    /**
     * Opens (parses, not yet loads) an object from its ELF bytes.
     *
     * @param name a name for messages, e.g. "process.bpf.o"
     */
    public static BpfObject open(String name, byte[] elf) {
        Arena arena = Arena.ofShared();
        Arena loadArena = Arena.ofShared();
        try {
            // libbpf keeps referring to the buffer and the log until load; loadArena keeps them alive until then.
            MemorySegment buf = loadArena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, elf.length);
            MemorySegment log = loadArena.allocate(LOG_SIZE);
            MemorySegment opts = arena.allocate(LibBpf.OPEN_OPTS_SIZE, 8);
            opts.set(Native.C_SIZE_T, 0, LibBpf.OPEN_OPTS_SIZE);
            opts.set(Native.C_POINTER, LibBpf.OPEN_OPTS_OBJECT_NAME, arena.allocateFrom(objectName(name)));
            // With a buffer and log level 0 libbpf retries a failed program load with a verbose log.
            opts.set(Native.C_POINTER, LibBpf.OPEN_OPTS_KERNEL_LOG_BUF, log);
            opts.set(Native.C_SIZE_T, LibBpf.OPEN_OPTS_KERNEL_LOG_SIZE, (long) LOG_SIZE);
            MemorySegment obj = (MemorySegment) LibBpf.OBJECT_OPEN_MEM.invokeExact(Native.callState(), buf, (long) elf.length, opts);
            if (obj.equals(MemorySegment.NULL)) {
                int errno = Native.lastErrno();
                throw new BpfException("open", "BPF object " + name + " (" + elf.length + " bytes)", 0, errno,
                        "not a valid BPF ELF object (corrupt or built for another target?)");
            }
            return new BpfObject(name, arena, loadArena, obj, log);
        } catch (BpfException e) {
            arena.close();
            loadArena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            loadArena.close();
            throw new IllegalStateException("bpf_object__open_mem(" + name + ")", t);
        }
    }

    /** libbpf derives map name prefixes from the object name: keep it a plain identifier. */
    private static String objectName(String name) {
        String base = name.replaceFirst("(\\.bpf)?\\.o$", "");
        return base.replaceAll("[^A-Za-z0-9_]", "_");
    }

    public String name() {
        return name;
    }

    /** Programs by function name, in ELF order. */
    public Map<String, BpfProgram> programs() {
        return programs;
    }

    public BpfProgram program(String programName) {
        BpfProgram p = programs.get(programName);
        if (p == null) {
            throw new IllegalArgumentException("no program '" + programName + "' in " + name + "; programs: " + programs.keySet());
        }
        return p;
    }

    /** Maps by name (including libbpf's internal .rodata/.bss maps, named e.g. "process.rodata"). */
    public Map<String, BpfMap> maps() {
        return maps;
    }

    public BpfMap map(String mapName) {
        BpfMap m = maps.get(mapName);
        if (m == null) {
            throw new IllegalArgumentException("no map '" + mapName + "' in " + name + "; maps: " + maps.keySet());
        }
        return m;
    }

    public Optional<BpfMap> findMap(String mapName) {
        return Optional.ofNullable(maps.get(mapName));
    }

    /** The read-only data section (`const volatile` globals), writable only before {@link #load}. */
    public MemorySegment rodata() {
        ensureOpen();
        if (loaded) {
            throw new IllegalStateException(name + " is loaded: read-only data can only be set before load");
        }
        BpfMap map = maps.values().stream().filter(m -> m.name().endsWith(".rodata")).findFirst()
                .orElseThrow(() -> new IllegalStateException(name + " has no .rodata section"));
        return map.initialValue();
    }

    /** Loads all autoload programs and creates maps. On verifier rejection the log tail is in the exception. */
    public void load() {
        ensureOpen();
        int rc;
        try {
            rc = (int) LibBpf.OBJECT_LOAD.invokeExact(Native.callState(), handle);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) {
            int errno = Native.lastErrno();
            String log = logBuffer.getString(0);
            throw new BpfException("load", "BPF object " + name + failedProgramHint(log), rc, errno, tail(log, 40));
        }
        loaded = true;
        loadArena.close();
    }

    private String failedProgramHint(String log) {
        return log.isBlank() ? "" : " (a program was rejected by the verifier)";
    }

    private static String tail(String log, int lines) {
        String[] all = log.split("\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }

    public boolean isLoaded() {
        return loaded;
    }

    /** Attaches every loaded program by its section name; returns the links (owned by this object). */
    public List<BpfLink> attachAll() {
        List<BpfLink> links = new ArrayList<>();
        for (BpfProgram p : programs.values()) {
            if (p.autoload()) {
                links.add(p.attach());
            }
        }
        return links;
    }

    /** Number of possible CPUs, the multiplier of per-CPU map values. */
    public static int possibleCpus() {
        try {
            int n = (int) LibBpf.NUM_POSSIBLE_CPUS.invokeExact(Native.callState());
            if (n <= 0) {
                throw new BpfException("libbpf_num_possible_cpus", "this host", n, Native.lastErrno());
            }
            return n;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    MemorySegment handle() {
        ensureOpen();
        return handle;
    }

    Arena arena() {
        return arena;
    }

    void own(AutoCloseable resource) {
        owned.add(resource);
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("BPF object " + name + " is closed");
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Like {@link #close()}, but does not wait while the kernel unregisters perf-event tracepoints
     * (about 40 ms each, serialised: seconds for a hundred). Those links are left to a kernel
     * worker, which releases them within seconds, also after this process has exited
     * ({@link KernelRelease}); the rest is freed as by close(). Their programs may run until then:
     * disable them first (e.g. through a settings map) if that matters. Use close() when the hooks
     * must be gone before going on.
     *
     * @return how many links were left to the kernel (0: there were none, or the kernel refused
     *         the hand-off and this closed them itself)
     */
    public int closeInBackground() {
        if (closed) {
            return 0;
        }
        int[] slow = owned.stream().filter(r -> r instanceof BpfLink l && l.isPerfEvent())
                .mapToInt(r -> ((BpfLink) r).fd()).toArray();
        KernelRelease held = null;
        if (slow.length > 0) {
            try {
                held = KernelRelease.hold(slow);
            } catch (IllegalStateException e) {
                System.getLogger(BpfObject.class.getName()).log(System.Logger.Level.WARNING,
                        "detaching " + name + " in this thread (slow): " + e.getMessage());
            }
        }
        try {
            close();
        } finally {
            if (held != null) {
                held.close();
            }
        }
        return held == null ? 0 : slow.length;
    }

    /** Destroys links and ring buffers, then the object (programs and maps leave the kernel). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception ignored) {
                // Keep closing the rest: a half-closed object would leak kernel resources.
            }
        }
        try {
            LibBpf.OBJECT_CLOSE.invokeExact(Native.callState(), handle);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
            if (loadArena.scope().isAlive()) {
                loadArena.close();
            }
        }
    }

    private Map<String, BpfProgram> listPrograms() {
        Map<String, BpfProgram> out = new LinkedHashMap<>();
        MemorySegment prog = MemorySegment.NULL;
        try {
            while (true) {
                prog = (MemorySegment) LibBpf.OBJECT_NEXT_PROGRAM.invokeExact(Native.callState(), handle, prog);
                if (prog.equals(MemorySegment.NULL)) {
                    return out;
                }
                BpfProgram p = new BpfProgram(this, prog);
                out.put(p.name(), p);
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private Map<String, BpfMap> listMaps() {
        Map<String, BpfMap> out = new LinkedHashMap<>();
        MemorySegment map = MemorySegment.NULL;
        try {
            while (true) {
                map = (MemorySegment) LibBpf.OBJECT_NEXT_MAP.invokeExact(Native.callState(), handle, map);
                if (map.equals(MemorySegment.NULL)) {
                    return out;
                }
                BpfMap m = new BpfMap(this, map);
                out.put(m.name(), m);
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void silenceLibbpf() {
        if (System.getenv("EUNOMIA_LIBBPF_DEBUG") != null) {
            return;
        }
        try {
            MemorySegment prev = (MemorySegment) LibBpf.SET_PRINT.invokeExact(Native.callState(), MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
