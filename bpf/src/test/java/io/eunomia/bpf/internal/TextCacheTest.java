package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Records' trailing strings through the cache: the same text as without it, one String per distinct content, bounded. */
class TextCacheTest {
    /** A record whose trailing part (after a 4-byte fixed part) is the given strings, each stored with its NUL. */
    private static RecordReader record(String... texts) {
        int size = 4;
        for (String t : texts) {
            size += t.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        byte[] b = new byte[size];
        int off = 4;
        for (String t : texts) {
            byte[] x = t.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(x, 0, b, off, x.length);
            off += x.length + 1;
        }
        return new RecordReader(MemorySegment.ofArray(b)).at(new Layout.Struct("fixed", 4));
    }

    private static String next(RecordReader r, String expected, TextCache cache) {
        return r.nextString(expected.getBytes(StandardCharsets.UTF_8).length + 1, cache);
    }

    @Test
    void equalBytesGiveTheSameStringAsDecodingWithoutTheCache() {
        TextCache cache = new TextCache(64);
        String first = next(record("/dev/null"), "/dev/null", cache);
        String again = next(record("/dev/null"), "/dev/null", cache);
        assertThat(again).isEqualTo("/dev/null").isSameAs(first);
        for (String text : new String[] {"/dev/nul", "/dev/null2", "/etc/shadow", "/tmp/äöü", "/a/longer/path/of/more/than/eight/bytes"}) {
            String cached = next(record(text), text, cache);
            assertThat(cached).isEqualTo(next(record(text), text, null)).isEqualTo(text);
            assertThat(next(record(text), text, cache)).isSameAs(cached);
        }
        assertThat(cache.hits()).isEqualTo(1 + 5);
        assertThat(cache.misses()).isEqualTo(1 + 5);
    }

    @Test
    void aTextCutByAnEarlierNulIsItsPrefixAsWithoutTheCache() {
        TextCache cache = new TextCache(8);
        RecordReader r = record("/etc/pass", "wd");
        // One stored length spanning both: the kernel's cut string holds an earlier NUL.
        assertThat(r.nextString("/etc/pass".length() + 1 + "wd".length() + 1, cache)).isEqualTo("/etc/pass");
    }

    @Test
    void aSlotHoldsOneTextAReplacedOneIsCountedAndDecodedAgain() {
        TextCache cache = new TextCache(1);  // every text shares the one slot
        String a = next(record("/a"), "/a", cache);
        String b = next(record("/b"), "/b", cache);
        assertThat(b).isEqualTo("/b");
        assertThat(cache.evictions()).isEqualTo(1);
        String a2 = next(record("/a"), "/a", cache);
        assertThat(a2).isEqualTo("/a").isNotSameAs(a);
        assertThat(cache.evictions()).isEqualTo(2);
        assertThat(cache.hits()).isZero();
    }

    @Test
    void textsLongerThanTheBoundAreDecodedEachTimeNotKept() {
        TextCache cache = new TextCache(4);
        String longText = "/" + "x".repeat(TextCache.MAX_BYTES);
        String first = next(record(longText), longText, cache);
        assertThat(next(record(longText), longText, cache)).isEqualTo(longText).isEqualTo(first).isNotSameAs(first);
        assertThat(cache.uncached()).isEqualTo(2);
        assertThat(cache.misses() + cache.hits()).isZero();
    }

    @Test
    void slotsArePowersOfTwo() {
        assertThatThrownBy(() -> new TextCache(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
