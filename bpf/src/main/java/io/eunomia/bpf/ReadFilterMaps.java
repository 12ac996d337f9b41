package io.eunomia.bpf;

import static io.eunomia.bpf.PrefixFilterMaps.key0;
import static io.eunomia.bpf.PrefixFilterMaps.present;
import static io.eunomia.bpf.PrefixFilterMaps.u32;

import io.eunomia.bpf.internal.ReadTops;
import io.eunomia.event.path.PathPrefixes;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes file.bpf.c's read filter ({@link SensorOptions#readPrefixes()}: the trie read_prefixes, the
 * switch read_filter, and the first look by the first two names, read_tops with its switch
 * read_top_filter) before attach and again, with the programs running, on a rule reload.
 * Every change goes wider first: the first look is switched off before anything changes and on
 * only once its names are complete, and the trie changes in PrefixFilterMaps' order, so at no
 * moment does the kernel keep back a read that the old or the new setting reports.
 * read_top_filter is switched on with a new generation each time: the kernel's memo of unwanted directories (unwanted_dirs) keeps
 * the generation it learnt under, so nothing learnt under an older filter counts under this one.
 */
final class ReadFilterMaps {
    /** Never 0 (off); shared by every object and by the miss filter's first look: a generation is never given twice while Java runs. */
    private static final AtomicInteger TOP_GENERATION = new AtomicInteger();

    private ReadFilterMaps() {}

    /**
     * @throws IllegalArgumentException for prefixes {@link PathPrefixes} refuses (before any map is touched)
     */
    static void apply(BpfObject object, Optional<List<String>> prefixes) {
        writeWithTops(object.map("read_prefixes"), object.map("read_filter"), object.map("read_tops"),
                object.map("read_top_filter"), prefixes.map(PathPrefixes::of));
    }

    /**
     * A path filter with its first look (read_tops and read_top_filter, or the miss filter's miss_tops and
     * miss_top_filter): the first look off, the trie in PrefixFilterMaps' order, the names, then the first
     * look on with a new generation.
     */
    static void writeWithTops(BpfMap trie, BpfMap filter, BpfMap tops, BpfMap topFilter, Optional<PathPrefixes> parsed) {
        topFilter.update(key0(), u32(0));
        PrefixFilterMaps.write(trie, filter, parsed);
        PrefixFilterMaps.clear(tops);
        Optional<Set<ReadTops.Top>> names = parsed.flatMap(ReadTops::of);
        if (names.isPresent()) {
            for (ReadTops.Top name : names.get()) {
                tops.update(ReadTops.key(name), present());
            }
            topFilter.update(key0(), u32(nextGeneration()));
        }
    }

    private static int nextGeneration() {
        return TOP_GENERATION.updateAndGet(g -> g == -1 ? 1 : g + 1);
    }

    /** Reads the filter kept in the kernel so far (a per-CPU counter). */
    static long skipped(BpfObject object) {
        return object.map("read_skipped").sumPerCpuU64(0);
    }
}
