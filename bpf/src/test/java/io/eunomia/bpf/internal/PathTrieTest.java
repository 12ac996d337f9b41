package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.path.PathPrefixes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathTrieTest {
    @Test
    void trieKeysCarryBitLengthsAndTheExactMatchNul() {
        List<byte[]> keys = PathTrie.keys(PathPrefixes.of(List.of("/etc")));
        assertThat(keys).hasSize(2).allSatisfy(k -> assertThat(k).hasSize(PathTrie.KEY_SIZE));
        ByteBuffer dir = ByteBuffer.wrap(keys.get(0)).order(ByteOrder.nativeOrder());
        assertThat(dir.getInt()).isEqualTo(5 * 8);
        assertThat(new String(keys.get(0), 4, 5)).isEqualTo("/etc/");
        ByteBuffer exact = ByteBuffer.wrap(keys.get(1)).order(ByteOrder.nativeOrder());
        assertThat(exact.getInt()).isEqualTo(5 * 8);
        assertThat(new String(keys.get(1), 4, 5)).isEqualTo("/etc\0");
    }
}
