package io.eunomia.bpf;

import io.eunomia.bpf.internal.PathTrie;
import io.eunomia.bpf.internal.ReadTops;
import io.eunomia.event.path.PathPrefixes;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes file.bpf.c's miss filter ({@link SensorOptions#missPrefixes()}: the trie miss_prefixes and
 * the switch miss_filter, and the first look by a directory's first two names, miss_tops with its
 * switch miss_top_filter) before attach and again, with the programs running, on a rule reload. The
 * switches go off before anything changes and on only once it is complete: while it changes every
 * failed open is reported (wider, never narrower than the old or the new setting). miss_top_filter
 * is switched on with a new generation each time, as read_top_filter is: the kernel's memo of
 * directories no miss prefix reaches (missing_dirs) counts only what it learnt under this one.
 */
final class MissFilterMaps {
    private static final byte[] KEY0 = new byte[4];
    private static final byte[] PRESENT = {1};

    private MissFilterMaps() {}

    /**
     * @throws IllegalArgumentException for prefixes {@link PathPrefixes} refuses (before any map is touched)
     */
    static void apply(BpfObject object, Optional<List<String>> prefixes) {
        PathPrefixes parsed = prefixes.map(PathPrefixes::of).orElse(null);
        BpfMap trie = object.map("miss_prefixes");
        BpfMap filter = object.map("miss_filter");
        BpfMap tops = object.map("miss_tops");
        BpfMap topFilter = object.map("miss_top_filter");
        topFilter.update(KEY0, u32(0));
        filter.update(KEY0, u32(0));
        ReadFilterMaps.clear(trie);
        ReadFilterMaps.clear(tops);
        if (parsed == null) {
            return;
        }
        for (byte[] k : PathTrie.keys(parsed)) {
            trie.update(k, PRESENT);
        }
        filter.update(KEY0, u32(1));
        Optional<Set<ReadTops.Top>> names = ReadTops.of(parsed);
        if (names.isPresent()) {
            for (ReadTops.Top name : names.get()) {
                tops.update(ReadTops.key(name), PRESENT);
            }
            topFilter.update(KEY0, u32(ReadFilterMaps.nextGeneration()));
        }
    }

    /** Opens of missing files the filter kept in the kernel so far (a per-CPU counter). */
    static long skipped(BpfObject object) {
        return object.map("miss_skipped").sumPerCpuU64(0);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }
}
