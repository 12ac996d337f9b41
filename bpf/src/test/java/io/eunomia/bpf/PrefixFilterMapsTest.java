package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.BpfResources;
import io.eunomia.bpf.internal.CallDispatchers;
import io.eunomia.bpf.internal.PathTrie;
import io.eunomia.event.path.PathPrefixes;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The miss filter's maps in a loaded file.bpf.o (programs not attached: only the maps are written). */
class PrefixFilterMapsTest {
    private static List<String> prefixes(String letter, int n) {
        return IntStream.range(0, n).mapToObj(i -> "/" + letter + i + "/").toList();
    }

    /**
     * 600 prefixes then 600 others: old and new together (1200) do not fit the trie's 1024, so adding
     * first failed with ENOSPC and left the switch on with all of the old and only 424 of the new.
     */
    @Test
    void aChangeWhoseUnionDoesNotFitTheTrieEndsWithExactlyTheNewSetOn() {
        try (BpfObject file = BpfObject.open("file.bpf.o", BpfResources.read(Sensor.FILE.resource()))) {
            CallDispatchers.COMPAT_PROGRAMS.forEach(name -> file.program(name).setAutoload(false));
            file.load();
            BpfMap trie = file.map("miss_prefixes");
            assertThat(trie.maxEntries()).isLessThan(1200);
            MissFilterMaps.apply(file, Optional.of(prefixes("a", 600)));
            assertThat(trie.keys()).hasSize(600);

            List<String> b = prefixes("b", 600);
            MissFilterMaps.apply(file, Optional.of(b));
            assertThat(file.map("miss_filter").lookup(PrefixFilterMaps.key0())).hasValueSatisfying(
                    v -> assertThat(v).isEqualTo(PrefixFilterMaps.u32(1)));
            assertThat(trie.keys()).as("the trie holds exactly the new set").hasSize(600);
            for (byte[] k : PathTrie.keys(PathPrefixes.of(b))) {
                assertThat(trie.lookup(k)).as("a new key").isPresent();
            }
            // a change whose union fits still goes the add-first way, ending with the new set alone
            MissFilterMaps.apply(file, Optional.of(prefixes("c", 300)));
            assertThat(trie.keys()).hasSize(300);
        }
    }

    @Test
    void aCallerWritingIntoTheKeyOrValueItGotChangesNoOtherCallers() {
        PrefixFilterMaps.key0()[0] = 7;
        PrefixFilterMaps.present()[0] = 0;
        assertThat(PrefixFilterMaps.key0()).containsExactly(0, 0, 0, 0);
        assertThat(PrefixFilterMaps.present()).containsExactly(1);
    }
}
