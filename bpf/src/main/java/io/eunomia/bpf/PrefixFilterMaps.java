package io.eunomia.bpf;

import io.eunomia.bpf.internal.PathTrie;
import io.eunomia.event.path.PathPrefixes;
import io.eunomia.libbpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes one of file.bpf.c's path filters: an LPM trie of path prefixes (PathTrie's keys) and the
 * one-word switch that turns it on, before attach and again with the programs running. The kernel
 * reads both at any moment between two of these updates, so the order is what keeps it safe: at no
 * moment may it keep back an event that the old or the new setting reports.
 * <ul>
 *   <li>off (absent): the switch goes off first, then the trie is emptied: while it empties,
 *       everything passes.</li>
 *   <li>on: the new keys are added first (the trie holds old and new: wider than either), then the
 *       switch goes on (from off, everything passed until now), and only then are the stale keys
 *       removed. Emptying the trie before filling it would, with the switch on, keep back what
 *       both settings report; switching off meanwhile would report, for a moment, everything.</li>
 * </ul>
 */
final class PrefixFilterMaps {
    /** The switch's key (0): a new array each call, since a caller could write into a shared one. */
    static byte[] key0() {
        return new byte[4];
    }

    /** A trie or name map's value (1), new each call like {@link #key0()}. */
    static byte[] present() {
        return new byte[] {1};
    }

    private PrefixFilterMaps() {}

    static void write(BpfMap trie, BpfMap filter, Optional<PathPrefixes> prefixes) {
        if (prefixes.isEmpty()) {
            filter.update(key0(), u32(0));
            clear(trie);
            return;
        }
        List<byte[]> keys = PathTrie.keys(prefixes.get());
        Set<ByteBuffer> wanted = new HashSet<>();
        for (byte[] k : keys) {
            wanted.add(significant(k));
        }
        Set<ByteBuffer> union = new HashSet<>(wanted);
        for (byte[] k : trie.keys()) {
            union.add(significant(k));
        }
        if (union.size() > trie.maxEntries()) {
            filter.update(key0(), u32(0));
            clear(trie);
        }
        for (byte[] k : keys) {
            trie.update(k, present());
        }
        filter.update(key0(), u32(1));
        for (byte[] k : trie.keys()) {
            if (!wanted.contains(significant(k))) {
                trie.delete(k);
            }
        }
    }

    static void clear(BpfMap map) {
        for (byte[] k : map.keys()) {
            map.delete(k);
        }
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** A trie key without the bytes past its prefix length, which the kernel need not give back as written. */
    private static ByteBuffer significant(byte[] key) {
        int bits = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).getInt(0);
        return ByteBuffer.wrap(key, 0, Math.min(key.length, 4 + bits / 8)).slice();
    }
}
