package io.eunomia.bpf;

import io.eunomia.event.path.PathPrefixes;
import io.eunomia.libbpf.BpfObject;
import java.util.List;
import java.util.Optional;

/**
 * Writes file.bpf.c's miss filter ({@link SensorOptions#missPrefixes()}: the trie miss_prefixes and
 * the switch miss_filter, and the first look by a directory's first two names, miss_tops with its
 * switch miss_top_filter) before attach and again, with the programs running, on a rule reload, in
 * ReadFilterMaps' order: never narrower than the old or the new setting. miss_top_filter is switched
 * on with a new generation each time: the kernel's memo of directories no miss prefix reaches
 * (missing_dirs) counts only what it learnt under this one.
 */
final class MissFilterMaps {
    private MissFilterMaps() {}

    /**
     * @throws IllegalArgumentException for prefixes {@link PathPrefixes} refuses (before any map is touched)
     */
    static void apply(BpfObject object, Optional<List<String>> prefixes) {
        ReadFilterMaps.writeWithTops(object.map("miss_prefixes"), object.map("miss_filter"), object.map("miss_tops"),
                object.map("miss_top_filter"), prefixes.map(PathPrefixes::of));
    }

    /** Opens of missing files the filter kept in the kernel so far (a per-CPU counter). */
    static long skipped(BpfObject object) {
        return object.map("miss_skipped").sumPerCpuU64(0);
    }
}
