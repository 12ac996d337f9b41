package io.eunomia.bpf.internal;

import io.eunomia.libbpf.RingBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a ring-buffer record in native byte order: the fixed part by {@link Layout} member (the
 * member's type picks the width: no raw offsets, so every read is one LayoutTest checks), the
 * variable part after it with a cursor.
 * <p>
 * The record is copied once into a heap array and read there: a read of the ring's native memory
 * is a segment access with its checks (bounds, scope, alignment), and a record's strings were
 * scanned for their NUL byte by byte that way (JFR: the segment checks were ~20% of the poller's
 * samples under gcc, bench/README.md); the copy is one bulk copy, the reads array loads.
 */
public final class RecordReader {
    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private byte[] buf;
    private int size;
    private int cursor;

    /** A reader of a copy of seg. */
    public RecordReader(MemorySegment seg) {
        this(Math.toIntExact(seg.byteSize()));
        load(seg);
    }

    private RecordReader(int capacity) {
        buf = new byte[capacity];
    }

    /** A reader to {@link #load} records into again and again (one thread): its array grows to the largest record. */
    public static RecordReader reusable() {
        return new RecordReader(4096);
    }

    /** Reads a copy of seg from now on (the cursor at 0); what was loaded before is gone. */
    public RecordReader load(MemorySegment seg) {
        int n = room(seg.byteSize());
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, buf, 0, n);
        return loaded(n);
    }

    /** As {@link #load(MemorySegment)}, a ring's record of size bytes at address (during its handler's call). */
    public RecordReader load(long address, long size) {
        int n = room(size);
        RingBuffer.copy(address, buf, n);
        return loaded(n);
    }

    private int room(long size) {
        int n = Math.toIntExact(size);
        if (n > buf.length) {
            buf = new byte[Math.max(n, 2 * buf.length)];
        }
        return n;
    }

    private RecordReader loaded(int n) {
        size = n;
        cursor = 0;
        return this;
    }

    public long size() {
        return size;
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
        return (int) U32.get(buf, index(f.offset(), 4));
    }

    public int s32(Layout.Int32 f, int i) {
        return (int) U32.get(buf, index(f.at(i), 4));
    }

    /** An unsigned 32-bit value widened to long (namespace numbers, addresses). */
    public long u32(Layout.Int32 f) {
        return Integer.toUnsignedLong(s32(f));
    }

    public long u32(Layout.Int32 f, int i) {
        return Integer.toUnsignedLong(s32(f, i));
    }

    public long s64(Layout.Int64 f) {
        return (long) U64.get(buf, index(f.offset(), 8));
    }

    public long s64(Layout.Int64 f, int i) {
        return (long) U64.get(buf, index(f.at(i), 8));
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
        return (long) U64.get(buf, index(f.offset() + 8L * i, 8));
    }

    public byte[] bytes(Layout.Chars f) {
        return bytes(f.offset(), f.size());
    }

    private int u8(long off) {
        return Byte.toUnsignedInt(buf[index(off, 1)]);
    }

    private int u16(long off) {
        return Short.toUnsignedInt((short) U16.get(buf, index(off, 2)));
    }

    private String fixedString(long off, int max) {
        int o = index(off, max);
        int n = 0;
        while (n < max && buf[o + n] != 0) {
            n++;
        }
        return text(o, n);
    }

    private byte[] bytes(long off, int len) {
        int o = index(off, len);
        return Arrays.copyOfRange(buf, o, o + len);
    }

    /** off as an array index where width bytes lie inside the record (not merely inside the array: it is reused). */
    private int index(long off, int width) {
        if (off < 0 || off + width > size) {
            throw new IndexOutOfBoundsException(width + " bytes at " + off + " beyond record of " + size);
        }
        return (int) off;
    }

    /** Positions the cursor at the first trailing string: the end of the record's fixed part. */
    public RecordReader at(Layout.Struct fixedPart) {
        cursor = Math.toIntExact(fixedPart.size());
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
        if (len < 0 || (long) cursor + len > size) {
            throw new IndexOutOfBoundsException("string of " + len + " bytes at " + cursor + " beyond record of " + size);
        }
        int n = len;
        // Stored with its NUL; a string cut by the kernel may contain an earlier NUL too.
        for (int i = 0; i < len; i++) {
            if (buf[cursor + i] == 0) {
                n = i;
                break;
            }
        }
        String s = cache == null ? text(cursor, n) : cache.text(buf, cursor, n);
        cursor += len;
        return s;
    }

    /** The next len bytes as raw data (e.g. NUL-separated argv), advancing the cursor. */
    public byte[] nextBytes(int len) {
        if (len < 0 || (long) cursor + len > size) {
            throw new IndexOutOfBoundsException("data of " + len + " bytes at " + cursor + " beyond record of " + size);
        }
        byte[] b = bytes(cursor, len);
        cursor += len;
        return b;
    }

    /** Steps over the next len bytes (a string another reader takes), as the reads would. */
    public RecordReader skip(int len) {
        if (len < 0 || (long) cursor + len > size) {
            throw new IndexOutOfBoundsException(len + " bytes at " + cursor + " beyond record of " + size);
        }
        cursor += len;
        return this;
    }

    private String text(int off, int n) {
        return new String(buf, off, n, StandardCharsets.UTF_8);
    }
}
