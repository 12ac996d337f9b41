package io.eunomia.bpf.internal;

/**
 * Process names of record headers (comm, pcomm: 16-byte NUL-padded arrays), decoded once per
 * distinct content: the records of a busy program reuse one String instead of decoding two per
 * record. Safe on any thread: a slot holds an immutable entry, so a race only loses an update.
 */
final class NameCache {
    private static final int NAME_BYTES = 16;

    private record Entry(long low, long high, String name) {}

    private final Entry[] slots;

    /** @param slots a power of two */
    NameCache(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, got " + slots);
        }
        this.slots = new Entry[slots];
    }

    /** The name in field f of the record: the cached String when its 16 bytes were seen before. */
    String name(RecordReader r, Layout.Chars f) {
        if (f.size() != NAME_BYTES || f.count() != 1) {
            throw new IllegalArgumentException(f.name() + " is not a 16-byte name");
        }
        long low = r.word(f, 0);
        long high = r.word(f, 1);
        int slot = Long.hashCode((low ^ Long.rotateLeft(high, 29)) * 0x9E3779B97F4A7C15L) >>> 16 & (slots.length - 1);
        Entry e = slots[slot];
        if (e != null && e.low == low && e.high == high) {
            return e.name;
        }
        String name = r.fixedString(f);
        slots[slot] = new Entry(low, high, name);
        return name;
    }
}
