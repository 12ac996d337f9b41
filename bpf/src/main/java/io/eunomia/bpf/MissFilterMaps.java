package io.eunomia.bpf;

import io.eunomia.bpf.internal.PathTrie;
import io.eunomia.event.path.PathPrefixes;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Writes file.bpf.c's miss filter ({@link SensorOptions#missPrefixes()}: the trie miss_prefixes and
 * the switch miss_filter) before attach and again, with the programs running, on a rule reload. The
 * switch goes off before the trie changes and on only once it is complete: while it changes every
 * failed open is reported (wider, never narrower than the old or the new setting).
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
        filter.update(KEY0, u32(0));
        for (byte[] k : trie.keys()) {
            trie.delete(k);
        }
        if (parsed == null) {
            return;
        }
        for (byte[] k : PathTrie.keys(parsed)) {
            trie.update(k, PRESENT);
        }
        filter.update(KEY0, u32(1));
    }

    /** Opens of missing files the filter kept in the kernel so far (a per-CPU counter). */
    static long skipped(BpfObject object) {
        return object.map("miss_skipped").sumPerCpuU64(0);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }
}
