package io.eunomia.bpf.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Trailing strings of records (file paths, exec'd programs) decoded once per distinct content: a
 * program opening the same file again, or a shell starting the same program, gets the String of
 * the last time instead of a new byte[] and String per record, and the rules' work keyed by a
 * String (its cached hash, {@code EventFields}' split of the last path, by identity) is done once
 * per distinct path instead of once per event. Bounded: a fixed number of slots (a new text
 * replaces the one in its slot: counted as an eviction) and texts of at most {@link #MAX_BYTES}
 * bytes (longer ones are decoded each time). Safe on any thread: a slot holds an immutable entry,
 * so a race only loses an update; the counters are the decoding thread's (approximate otherwise).
 */
public final class TextCache {
    /** Longer texts are decoded every time: the slots' memory stays below slots × 2 × this. */
    static final int MAX_BYTES = 256;
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private record Entry(long hash, byte[] bytes, String text) {}

    private final Entry[] slots;
    private long hits;
    private long misses;
    private long evictions;
    private long uncached;

    /** @param slots a power of two */
    public TextCache(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, got " + slots);
        }
        this.slots = new Entry[slots];
    }

    /** The n bytes at off of b as UTF-8 text: the cached String when these bytes were seen last in their slot. */
    String text(byte[] b, int off, int n) {
        if (n > MAX_BYTES) {
            uncached++;
            return new String(b, off, n, StandardCharsets.UTF_8);
        }
        long h = hash(b, off, n);
        int slot = (int) (h ^ h >>> 32) & (slots.length - 1);
        Entry e = slots[slot];
        if (e != null && e.hash == h && Arrays.equals(b, off, off + n, e.bytes, 0, e.bytes.length)) {
            hits++;
            return e.text;
        }
        misses++;
        if (e != null) {
            evictions++;
        }
        byte[] copy = Arrays.copyOfRange(b, off, off + n);
        String s = new String(copy, StandardCharsets.UTF_8);
        slots[slot] = new Entry(h, copy, s);
        return s;
    }

    private static long hash(byte[] b, int off, int n) {
        long h = n;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            h = Long.rotateLeft((h ^ (long) U64.get(b, off + i)) * 0x9E3779B97F4A7C15L, 31);
        }
        for (; i < n; i++) {
            h = Long.rotateLeft((h ^ b[off + i]) * 0x9E3779B97F4A7C15L, 31);
        }
        return h * 0xC2B2AE3D27D4EB4FL;
    }

    /** Texts served from the cache. */
    public long hits() {
        return hits;
    }

    /** Texts decoded and kept (a first sight, or their slot held another). */
    public long misses() {
        return misses;
    }

    /** Kept texts replaced by another in their slot. */
    public long evictions() {
        return evictions;
    }

    /** Texts longer than {@link #MAX_BYTES}, decoded without the cache. */
    public long uncached() {
        return uncached;
    }
}
