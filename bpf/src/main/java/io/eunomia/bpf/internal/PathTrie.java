package io.eunomia.bpf.internal;

import io.eunomia.event.path.PathPrefixes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** The file sensor's LPM trie keys (file.bpf.c, map path_prefixes) for a set of path prefixes. */
public final class PathTrie {
    /** struct path_key: u32 prefixlen (bits) + char data[PathPrefixes.DATA_MAX]. */
    public static final int KEY_SIZE = 4 + PathPrefixes.DATA_MAX;

    private PathTrie() {}

    /** One key per pattern, in native byte order. */
    public static List<byte[]> keys(PathPrefixes prefixes) {
        return prefixes.patterns().stream()
                .map(p -> ByteBuffer.allocate(KEY_SIZE).order(ByteOrder.nativeOrder()).putInt(p.length * 8).put(p).array())
                .toList();
    }
}
