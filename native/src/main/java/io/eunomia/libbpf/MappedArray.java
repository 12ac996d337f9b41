package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The values of a loaded {@code BPF_F_MMAPABLE} array, mapped into this process's memory: user
 * space reads and writes them with plain loads and stores, and the programs see them at once, with
 * no system call per write (an update through the map's fd is a bpf(2) call, ~2–5 µs here). For a
 * flag that changes often, e.g. the poller telling the programs whether it is awake. Unmapped when
 * its object closes (the mapping would otherwise keep the map alive in the kernel). The mapping
 * belongs to a shared arena: closing it waits out any access in flight on another thread, and an
 * access after close throws {@link IllegalStateException}, where a store into unmapped memory
 * would crash the JVM.
 */
public final class MappedArray implements AutoCloseable {
    private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();
    private static final MethodHandle MMAP = Native.downcall(LIBC, "mmap", FunctionDescriptor.of(Native.C_POINTER,
            Native.C_POINTER, Native.C_SIZE_T, Native.C_INT, Native.C_INT, Native.C_INT, Native.C_LONG));
    private static final MethodHandle MUNMAP = Native.plainDowncall(LIBC, "munmap",
            FunctionDescriptor.of(Native.C_INT, Native.C_POINTER, Native.C_SIZE_T));
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final long MAP_FAILED = -1L;
    private static final long PAGE = 4096;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final BpfMap map;
    /** The kernel lays the values out 8-byte aligned (kernel/bpf/arraymap.c: elem_size). */
    private final long stride;
    private final int entries;
    private final int valueSize;
    private final Arena arena;
    private final MemorySegment memory;

    private MappedArray(BpfMap map, Arena arena, MemorySegment memory, long stride) {
        this.map = map;
        this.arena = arena;
        this.memory = memory;
        this.stride = stride;
        this.entries = map.maxEntries();
        this.valueSize = map.valueSize();
    }

    /** Maps a loaded array map created with {@link BpfMap#F_MMAPABLE}; unmapped when its object closes. */
    public static MappedArray map(BpfMap map) {
        map.object().ensureOpen();
        if (map.type() != BpfMap.TYPE_ARRAY || (map.flags() & BpfMap.F_MMAPABLE) == 0) {
            throw new IllegalArgumentException(map + " is not an array map created with BPF_F_MMAPABLE (type " + map.type()
                    + ", flags 0x" + Integer.toHexString(map.flags()) + ")");
        }
        long stride = (map.valueSize() + 7L) & ~7L;
        long bytes = (stride * map.maxEntries() + PAGE - 1) & ~(PAGE - 1);
        MemorySegment p;
        try {
            p = (MemorySegment) MMAP.invokeExact(Native.callState(), MemorySegment.NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
                    map.fd(), 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (p.address() == MAP_FAILED || p.equals(MemorySegment.NULL)) {
            throw new BpfException("mmap of " + bytes + " bytes", map.describe(), -1, Native.lastErrno());
        }
        Arena arena = Arena.ofShared();
        // The arena's close unmaps, once no thread is accessing the segment any more.
        MemorySegment memory = p.reinterpret(bytes, arena, MappedArray::unmap);
        MappedArray m = new MappedArray(map, arena, memory, stride);
        map.object().own(m);
        return m;
    }

    /**
     * Stores a 32-bit value at {@code offset} of entry {@code index}, visible to the programs before
     * any later load or system call of this thread (a volatile store: the poller's next poll must not
     * overtake it).
     */
    public void setIntVolatile(int index, int offset, int value) {
        long at = at(index, offset);
        try {
            INT.setVolatile(memory, at, value);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    public int getIntVolatile(int index, int offset) {
        long at = at(index, offset);
        try {
            return (int) INT.getVolatile(memory, at);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /** The arena's own message ("Already closed") does not say which mapping. */
    private IllegalStateException closed(IllegalStateException e) {
        return new IllegalStateException("the mapping of " + map.describe() + " is closed", e);
    }

    private long at(int index, int offset) {
        if (index < 0 || index >= entries || offset < 0 || offset + 4 > valueSize) {
            throw new IndexOutOfBoundsException("entry " + index + " offset " + offset + " of " + map.describe() + " ("
                    + entries + " entries of " + valueSize + " bytes)");
        }
        return index * stride + offset;
    }

    private static void unmap(MemorySegment mapped) {
        try {
            int ignored = (int) MUNMAP.invokeExact(mapped, mapped.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Unmaps (with its object: {@link BpfObject#close}); a no-op the second time. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
