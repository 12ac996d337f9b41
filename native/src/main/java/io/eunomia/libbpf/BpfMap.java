package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.LibBpf;
import io.eunomia.libbpf.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A map of a {@link BpfObject}. Keys and values are raw bytes in the kernel's layout (little
 * endian on the hosts we support); callers decode them. Per-CPU maps return one value slot per
 * possible CPU, each padded to 8 bytes.
 */
public final class BpfMap {
    /** Map types we treat specially (uapi enum bpf_map_type). */
    public static final int TYPE_ARRAY = 2;
    public static final int TYPE_PERCPU_HASH = 5;
    public static final int TYPE_PERCPU_ARRAY = 6;
    public static final int TYPE_LRU_PERCPU_HASH = 10;
    public static final int TYPE_RINGBUF = 27;

    /** uapi BPF_F_MMAPABLE: an array whose values user space may map into its memory ({@link MappedArray}). */
    public static final int F_MMAPABLE = 1 << 10;

    private static final long BPF_ANY = 0;

    private final BpfObject object;
    private final MemorySegment handle;
    private final String name;

    BpfMap(BpfObject object, MemorySegment handle) {
        this.object = object;
        this.handle = handle;
        try {
            this.name = Native.string((MemorySegment) LibBpf.MAP_NAME.invokeExact(Native.callState(), handle));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public String name() {
        return name;
    }

    public int fd() {
        return intProperty(LibBpf.MAP_FD);
    }

    public int type() {
        return intProperty(LibBpf.MAP_TYPE);
    }

    public int keySize() {
        return intProperty(LibBpf.MAP_KEY_SIZE);
    }

    public int valueSize() {
        return intProperty(LibBpf.MAP_VALUE_SIZE);
    }

    public int maxEntries() {
        return intProperty(LibBpf.MAP_MAX_ENTRIES);
    }

    /** The map_flags it was (or will be) created with (uapi BPF_F_*). */
    public int flags() {
        return intProperty(LibBpf.MAP_FLAGS);
    }

    public boolean isPerCpu() {
        int t = type();
        return t == TYPE_PERCPU_HASH || t == TYPE_PERCPU_ARRAY || t == TYPE_LRU_PERCPU_HASH;
    }

    /** Before load: resize (e.g. the ring buffer, a power of two multiple of the page size). */
    public void setMaxEntries(int maxEntries) {
        object.ensureOpen();
        int rc;
        try {
            rc = (int) LibBpf.MAP_SET_MAX_ENTRIES.invokeExact(Native.callState(), handle, maxEntries);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) {
            throw new BpfException("set_max_entries(" + maxEntries + ")", describe(), rc, Native.lastErrno());
        }
    }

    /**
     * Before load: make this map the same kernel map as another object's (e.g. one ring buffer
     * shared by several BPF objects, so their records arrive in one order).
     */
    public void reuseFd(int fd) {
        object.ensureOpen();
        int rc;
        try {
            rc = (int) LibBpf.MAP_REUSE_FD.invokeExact(Native.callState(), handle, fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) {
            throw new BpfException("reuse_fd(" + fd + ")", describe(), rc, Native.lastErrno());
        }
    }

    /** Size in bytes of a value buffer for lookups: per-CPU maps hold one 8-aligned slot per CPU. */
    public int valueBufferSize() {
        int v = valueSize();
        return isPerCpu() ? ((v + 7) & ~7) * BpfObject.possibleCpus() : v;
    }

    /** Value for key, or empty when absent (ENOENT). */
    public Optional<byte[]> lookup(byte[] key) {
        object.ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            int size = valueBufferSize();
            MemorySegment v = arena.allocate(size, 8);
            int rc = (int) LibBpf.MAP_LOOKUP_ELEM.invokeExact(Native.callState(), handle, k, (long) key.length, v, (long) size, 0L);
            if (rc != 0) {
                int errno = Native.lastErrno();
                if (-rc == Errno.ENOENT) {
                    return Optional.empty();
                }
                throw new BpfException("lookup", describe(), rc, errno);
            }
            return Optional.of(v.toArray(ValueLayout.JAVA_BYTE));
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public void update(byte[] key, byte[] value) {
        object.ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_BYTE, value);
            int rc = (int) LibBpf.MAP_UPDATE_ELEM.invokeExact(Native.callState(), handle, k, (long) key.length, v, (long) value.length, BPF_ANY);
            if (rc != 0) {
                throw new BpfException("update", describe(), rc, Native.lastErrno());
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Deletes key; returns false when it was not there. */
    public boolean delete(byte[] key) {
        object.ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            int rc = (int) LibBpf.MAP_DELETE_ELEM.invokeExact(Native.callState(), handle, k, (long) key.length, 0L);
            if (rc != 0) {
                int errno = Native.lastErrno();
                if (-rc == Errno.ENOENT) {
                    return false;
                }
                throw new BpfException("delete", describe(), rc, errno);
            }
            return true;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** All keys, by get_next_key iteration (a snapshot; concurrent kernel updates may be missed). */
    public List<byte[]> keys() {
        object.ensureOpen();
        List<byte[]> keys = new ArrayList<>();
        int ks = keySize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cur = MemorySegment.NULL;
            MemorySegment next = arena.allocate(ks, 8);
            int limit = Math.max(maxEntries(), 1) + 1;
            while (keys.size() < limit) {
                int rc = (int) LibBpf.MAP_GET_NEXT_KEY.invokeExact(Native.callState(), handle, cur, next, (long) ks);
                if (rc != 0) {
                    int errno = Native.lastErrno();
                    if (-rc == Errno.ENOENT) {
                        break;
                    }
                    throw new BpfException("get_next_key", describe(), rc, errno);
                }
                byte[] k = next.toArray(ValueLayout.JAVA_BYTE);
                keys.add(k);
                if (cur.equals(MemorySegment.NULL)) {
                    cur = arena.allocate(ks, 8);
                }
                MemorySegment.copy(next, 0, cur, 0, ks);
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return keys;
    }

    /** Sum of a per-CPU u64 counter array at index (a common shape for drop counters). */
    public long sumPerCpuU64(int index) {
        byte[] key = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(index).array();
        Optional<byte[]> v = lookup(key);
        if (v.isEmpty()) {
            return 0;
        }
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(v.get()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int slot = (valueSize() + 7) & ~7;
        long sum = 0;
        for (int off = 0; off + 8 <= v.get().length; off += slot) {
            sum += bb.getLong(off);
        }
        return sum;
    }

    MemorySegment initialValue() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizeOut = arena.allocate(Native.C_SIZE_T);
            MemorySegment p = (MemorySegment) LibBpf.MAP_INITIAL_VALUE.invokeExact(Native.callState(), handle, sizeOut);
            if (p.equals(MemorySegment.NULL)) {
                throw new BpfException("initial_value", describe(), 0, Native.lastErrno());
            }
            return p.reinterpret(sizeOut.get(Native.C_SIZE_T, 0));
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    BpfObject object() {
        return object;
    }

    private int intProperty(java.lang.invoke.MethodHandle mh) {
        object.ensureOpen();
        try {
            return (int) mh.invokeExact(Native.callState(), handle);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    String describe() {
        return "map '" + name + "' in " + object.name();
    }

    @Override
    public String toString() {
        return describe();
    }
}
