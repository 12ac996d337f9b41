package io.eunomia.bpf;

import io.eunomia.bpf.internal.PathTrie;
import io.eunomia.bpf.internal.ReadTops;
import io.eunomia.event.path.PathPrefixes;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes file.bpf.c's read filter ({@link SensorOptions#readPrefixes()}: the trie read_prefixes, the
 * switch read_filter, and the first look by the first two names, read_tops with its switch
 * read_top_filter) before attach and again, with the programs running, on a rule reload.
 * Every change goes wider first: the first look is switched off before anything changes and on
 * only once its names are complete, new keys are added before the filter is switched on and stale
 * ones removed only after, and switching off comes before clearing, so at no moment does the
 * kernel keep back a read that the old or the new setting reports. read_top_filter is switched on
 * with a new generation each time: the kernel's memo of unwanted directories (unwanted_dirs) keeps
 * the generation it learnt under, so nothing learnt under an older filter counts under this one.
 */
final class ReadFilterMaps {
    private static final byte[] KEY0 = new byte[4];
    private static final byte[] PRESENT = {1};
    /** Never 0 (off); shared by every object and by the miss filter's first look: a generation is never given twice while Java runs. */
    private static final AtomicInteger TOP_GENERATION = new AtomicInteger();

    private ReadFilterMaps() {}

    /**
     * @throws IllegalArgumentException for prefixes {@link PathPrefixes} refuses (before any map is touched)
     */
    static void apply(BpfObject object, Optional<List<String>> prefixes) {
        BpfMap trie = object.map("read_prefixes");
        BpfMap filter = object.map("read_filter");
        BpfMap tops = object.map("read_tops");
        BpfMap topFilter = object.map("read_top_filter");
        PathPrefixes parsed = prefixes.map(PathPrefixes::of).orElse(null);
        topFilter.update(KEY0, u32(0));
        if (parsed == null) {
            filter.update(KEY0, u32(0));
            for (byte[] k : trie.keys()) {
                trie.delete(k);
            }
            clear(tops);
            return;
        }
        List<byte[]> keys = PathTrie.keys(parsed);
        Set<ByteBuffer> wanted = new HashSet<>();
        for (byte[] k : keys) {
            trie.update(k, PRESENT);
            wanted.add(significant(k));
        }
        filter.update(KEY0, u32(1));
        for (byte[] k : trie.keys()) {
            if (!wanted.contains(significant(k))) {
                trie.delete(k);
            }
        }
        clear(tops);
        Optional<Set<ReadTops.Top>> names = ReadTops.of(parsed);
        if (names.isPresent()) {
            for (ReadTops.Top name : names.get()) {
                tops.update(ReadTops.key(name), PRESENT);
            }
            topFilter.update(KEY0, u32(nextGeneration()));
        }
    }

    static int nextGeneration() {
        return TOP_GENERATION.updateAndGet(g -> g == -1 ? 1 : g + 1);
    }

    static void clear(BpfMap map) {
        for (byte[] k : map.keys()) {
            map.delete(k);
        }
    }

    /** Reads the filter kept in the kernel so far (a per-CPU counter). */
    static long skipped(BpfObject object) {
        return object.map("read_skipped").sumPerCpuU64(0);
    }

    /** A trie key without the bytes past its prefix length, which the kernel need not give back as written. */
    private static ByteBuffer significant(byte[] key) {
        int bits = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).getInt(0);
        return ByteBuffer.wrap(key, 0, Math.min(key.length, 4 + bits / 8)).slice();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }
}
