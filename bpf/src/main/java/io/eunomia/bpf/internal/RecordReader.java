package io.eunomia.bpf.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads a ring-buffer record in native byte order: the fixed part by {@link Layout} member (the
 * member's type picks the width: no raw offsets, so every read is one LayoutTest checks), the
 * variable part after it with a cursor.
 */
public final class RecordReader {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final MemorySegment seg;
    private long cursor;

    public RecordReader(MemorySegment seg) {
        this.seg = seg;
    }

    public long size() {
        return seg.byteSize();
    }

    public int u8(Layout.Int8 f) {
        return u8(f.offset());
    }

    public int u8(Layout.Int8 f, int i) {
        return u8(f.at(i));
    }

    public int u16(Layout.Int16 f) {
        return u16(f.offset());
    }

    public int u16(Layout.Int16 f, int i) {
        return u16(f.at(i));
    }

    public int s32(Layout.Int32 f) {
        return seg.get(U32, f.offset());
    }

    public int s32(Layout.Int32 f, int i) {
        return seg.get(U32, f.at(i));
    }

    /** An unsigned 32-bit value widened to long (namespace numbers, addresses). */
    public long u32(Layout.Int32 f) {
        return Integer.toUnsignedLong(s32(f));
    }

    public long u32(Layout.Int32 f, int i) {
        return Integer.toUnsignedLong(s32(f, i));
    }

    public long s64(Layout.Int64 f) {
        return seg.get(U64, f.offset());
    }

    public long s64(Layout.Int64 f, int i) {
        return seg.get(U64, f.at(i));
    }

    /** A NUL-padded fixed char array, e.g. comm[16]. */
    public String fixedString(Layout.Chars f) {
        return fixedString(f.offset(), f.size());
    }

    /** Element i of an array of fixed char arrays (char x[count][size]). */
    public String fixedString(Layout.Chars f, int i) {
        return fixedString(f.at(i), f.size());
    }

    /** The i-th 8 bytes of a char array, raw (to compare contents without decoding them). */
    public long word(Layout.Chars f, int i) {
        if (8L * (i + 1) > f.size()) {
            throw new IndexOutOfBoundsException("word " + i + " of " + f.name() + " (" + f.size() + " bytes)");
        }
        return seg.get(U64, f.offset() + 8L * i);
    }

    public byte[] bytes(Layout.Chars f) {
        return bytes(f.offset(), f.size());
    }

    private int u8(long off) {
        return Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, off));
    }

    private int u16(long off) {
        return Short.toUnsignedInt(seg.get(U16, off));
    }

    private String fixedString(long off, int max) {
        int n = 0;
        while (n < max && seg.get(ValueLayout.JAVA_BYTE, off + n) != 0) {
            n++;
        }
        return text(off, n);
    }

    private byte[] bytes(long off, int len) {
        return seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Positions the cursor at the first trailing string: the end of the record's fixed part. */
    public RecordReader at(Layout.Struct fixedPart) {
        cursor = fixedPart.size();
        return this;
    }

    /**
     * Reads the next trailing string of stored length len (NUL included, 0 = absent) and advances.
     * Throws IndexOutOfBoundsException on a record that is shorter than its lengths say.
     */
    public String nextString(int len) {
        return nextString(len, null);
    }

    /** As {@link #nextString(int)}, the text through {@code cache} (null: none): equal bytes, the same String. */
    public String nextString(int len, TextCache cache) {
        if (len == 0) {
            return "";
        }
        if (cursor + len > seg.byteSize()) {
            throw new IndexOutOfBoundsException("string of " + len + " bytes at " + cursor + " beyond record of " + seg.byteSize());
        }
        int n = len;
        // Stored with its NUL; a string cut by the kernel may contain an earlier NUL too.
        for (int i = 0; i < len; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, cursor + i) == 0) {
                n = i;
                break;
            }
        }
        String s = cache == null ? text(cursor, n) : cache.text(seg, cursor, n);
        cursor += len;
        return s;
    }

    /** The next len bytes as raw data (e.g. NUL-separated argv), advancing the cursor. */
    public byte[] nextBytes(int len) {
        if (cursor + len > seg.byteSize()) {
            throw new IndexOutOfBoundsException("data of " + len + " bytes at " + cursor + " beyond record of " + seg.byteSize());
        }
        byte[] b = bytes(cursor, len);
        cursor += len;
        return b;
    }

    /** Steps over the next len bytes (a string another reader takes), as the reads would. */
    public RecordReader skip(int len) {
        if (cursor + len > seg.byteSize()) {
            throw new IndexOutOfBoundsException(len + " bytes at " + cursor + " beyond record of " + seg.byteSize());
        }
        cursor += len;
        return this;
    }

    private String text(long off, int n) {
        return new String(bytes(off, n), StandardCharsets.UTF_8);
    }
}
