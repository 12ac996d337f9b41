package io.eunomia.bpf.process;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map that forgets its least recently used entry beyond a capacity (per-namespace caches of this package); counts what it forgot. */
final class LruMap<K, V> extends LinkedHashMap<K, V> {
    private final int capacity;
    private long evicted;

    LruMap(int capacity) {
        super(16, 0.75f, true);
        this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        if (size() > capacity) {
            evicted++;
            return true;
        }
        return false;
    }

    /** Entries forgotten because the map was full. */
    long evicted() {
        return evicted;
    }
}
