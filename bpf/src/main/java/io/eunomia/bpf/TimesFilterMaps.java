package io.eunomia.bpf;

import io.eunomia.event.path.PathPrefixes;
import io.eunomia.libbpf.BpfObject;
import java.util.List;
import java.util.Optional;

/**
 * Writes file.bpf.c's times filter ({@link SensorOptions#timesPrefixes()}: the trie times_prefixes and
 * its switch times_filter) before attach and again, with the programs running, on a rule reload, in
 * PrefixFilterMaps' order: never narrower than the old or the new setting.
 */
final class TimesFilterMaps {
    private TimesFilterMaps() {}

    /**
     * @throws IllegalArgumentException for prefixes {@link PathPrefixes} refuses (before any map is touched)
     */
    static void apply(BpfObject object, Optional<List<String>> prefixes) {
        Optional<PathPrefixes> parsed = prefixes.map(PathPrefixes::of);
        PrefixFilterMaps.write(object.map("times_prefixes"), object.map("times_filter"), parsed);
    }

    /** Explicit-times calls the filter kept in the kernel so far (a per-CPU counter). */
    static long skipped(BpfObject object) {
        return object.map("times_skipped").sumPerCpuU64(0);
    }
}
