package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NameCacheTest {
    private static RecordReader header(String comm, byte[] tail) {
        byte[] record = new byte[Header.SIZE];
        byte[] name = comm.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, record, Header.COMM.offset(), name.length);
        System.arraycopy(tail, 0, record, Header.COMM.offset() + name.length + 1, tail.length);
        return new RecordReader(MemorySegment.ofArray(record));
    }

    @Test
    void theSameBytesGiveTheSameStringOtherBytesTheirOwn() {
        NameCache cache = new NameCache(2); // small: names share slots and replace each other
        String first = cache.name(header("nginx", new byte[0]), Header.COMM);
        assertThat(first).isEqualTo("nginx");
        assertThat(cache.name(header("nginx", new byte[0]), Header.COMM)).isSameAs(first);
        for (String other : new String[] {"nginy", "ngin", "sh", "a-fifteen-chars"}) {
            assertThat(cache.name(header(other, new byte[0]), Header.COMM)).isEqualTo(other);
        }
        assertThat(cache.name(header("nginx", new byte[0]), Header.COMM)).isEqualTo("nginx");
    }

    @Test
    void bytesAfterTheNulAreNotPartOfTheNameButTellEntriesApart() {
        NameCache cache = new NameCache(64);
        byte[] junk = new byte[4];
        Arrays.fill(junk, (byte) 'x');
        String padded = cache.name(header("cat", new byte[0]), Header.COMM);
        String unpadded = cache.name(header("cat", junk), Header.COMM);
        assertThat(unpadded).isEqualTo("cat").isEqualTo(padded);
        assertThat(cache.name(header("cats", new byte[0]), Header.COMM)).isEqualTo("cats");
    }

    @Test
    void onlyNamesOfSixteenBytes() {
        assertThatThrownBy(() -> new NameCache(3)).isInstanceOf(IllegalArgumentException.class);
        Layout.Chars wide = new Layout.Struct("t", 32).chars("wide", 0, 32);
        assertThatThrownBy(() -> new NameCache(4).name(header("x", new byte[0]), wide))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wide");
    }
}
