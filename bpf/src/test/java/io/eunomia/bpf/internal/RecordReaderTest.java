package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The poller's one reader loaded with record after record: each read sees the record loaded last, and ends where it ends. */
class RecordReaderTest {
    private static final Layout.Struct FIXED = new Layout.Struct("fixed", 8);
    private static final Layout.Int32 A = FIXED.int32("a", 0);
    private static final Layout.Int32 B = FIXED.int32("b", 4);

    /** A native record (as the ring hands them): two ints, then the strings, each with its NUL. */
    private static MemorySegment record(Arena arena, int a, int b, String... texts) {
        int size = 8;
        for (String t : texts) {
            size += t.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        MemorySegment seg = arena.allocate(size);
        seg.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 0, a);
        seg.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 4, b);
        long off = 8;
        for (String t : texts) {
            byte[] x = t.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(x, 0, seg, ValueLayout.JAVA_BYTE, off, x.length);
            off += x.length + 1;
        }
        return seg;
    }

    @Test
    void aShorterRecordAfterALongerOneEndsAtItsOwnSize() {
        RecordReader r = RecordReader.reusable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment longer = record(arena, 1, 2, "/usr/lib/gcc/x86_64-linux-gnu/14/cc1".repeat(200), "/tmp");
            r.load(longer).at(FIXED);
            assertThat(r.size()).isEqualTo(longer.byteSize());
            assertThat(r.nextString(36 * 200 + 1)).startsWith("/usr/lib/gcc/").hasSize(36 * 200);
            assertThat(r.nextString(5)).isEqualTo("/tmp");

            r.load(record(arena, 7, -1, "/bin/true")).at(FIXED);
            assertThat(r.size()).isEqualTo(8 + 10);
            assertThat(r.s32(A)).isEqualTo(7);
            assertThat(r.u32(B)).isEqualTo(0xffffffffL);
            assertThat(r.nextString(10)).isEqualTo("/bin/true");
            // The longer record's bytes are still in the array past this one's end: not readable.
            assertThatThrownBy(() -> r.nextString(5)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> r.nextBytes(1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> r.s32(FIXED.int32("past", 16))).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void aRecordTakenByItsAddressReadsAsItsSegment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = record(arena, 42, 7, "/usr/bin/gcc", "/tmp");
            RecordReader byAddress = RecordReader.reusable().load(seg.address(), seg.byteSize()).at(FIXED);
            RecordReader bySegment = new RecordReader(seg).at(FIXED);
            assertThat(byAddress.size()).isEqualTo(bySegment.size()).isEqualTo(seg.byteSize());
            assertThat(byAddress.s32(A)).isEqualTo(bySegment.s32(A)).isEqualTo(42);
            assertThat(byAddress.s32(B)).isEqualTo(7);
            assertThat(byAddress.nextString(13)).isEqualTo(bySegment.nextString(13)).isEqualTo("/usr/bin/gcc");
            assertThat(byAddress.nextString(5)).isEqualTo("/tmp");
        }
    }

    @Test
    void aStringCutByTheKernelEndsAtItsFirstNul() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = record(arena, 0, 0, "/etc", "x");   // "/etc\0x\0": one stored string of 7 bytes
            RecordReader r = RecordReader.reusable().load(seg).at(FIXED);
            assertThat(r.nextString(7)).isEqualTo("/etc");
            assertThat(r.size()).isEqualTo(15);
        }
    }
}
