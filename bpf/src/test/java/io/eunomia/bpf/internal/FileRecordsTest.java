package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * A file record's fixed fields read without decoding the rest: a link the kernel counted as
 * reported (file.bpf.c link_counts) is recognised even when its strings cannot be decoded.
 */
class FileRecordsTest {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong S64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    @Test
    void aSuccessfulLinkIsRecognisedFromItsFixedFieldsAlone() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(FileRecords.reportedLink(record(arena, RecordType.FILE.code(), 3, 0, 0))).isTrue();
            // Its path lengths point past the record: undecodable, still a link reported.
            MemorySegment bad = arena.allocate(FileRecords.FILE_EVENT.size());
            fill(bad, RecordType.FILE.code(), 3, 0);
            bad.set(U16, FileRecords.PATH_LEN.offset(), (short) 4000);
            assertThat(FileRecords.reportedLink(new RecordReader(bad))).isTrue();
            assertThat(FileRecords.reportedLink(record(arena, RecordType.FILE.code(), 3, -17, 0))).as("failed link").isFalse();
            assertThat(FileRecords.reportedLink(record(arena, RecordType.FILE.code(), 1, 0, 0))).as("unlink").isFalse();
            assertThat(FileRecords.reportedLink(record(arena, RecordType.FILE.code(), 99, 0, 0))).as("unknown op").isFalse();
            assertThat(FileRecords.reportedLink(record(arena, RecordType.FILE.code() + 1, 3, 0, 0))).as("other type").isFalse();
            assertThat(FileRecords.reportedLink(record(arena, RecordType.FILE.code(), 3, 0, -1))).as("too short").isFalse();
        }
    }

    private static RecordReader record(Arena arena, int type, int op, long ret, int sizeDelta) {
        MemorySegment seg = arena.allocate(FileRecords.FILE_EVENT.size() + sizeDelta);
        if (sizeDelta >= 0) {
            fill(seg, type, op, ret);
        }
        return new RecordReader(seg);
    }

    private static void fill(MemorySegment seg, int type, int op, long ret) {
        seg.set(U16, Header.TYPE.offset(), (short) type);
        seg.set(U16, FileRecords.OP.offset(), (short) op);
        seg.set(S64, Header.RET.offset(), ret);
    }
}
