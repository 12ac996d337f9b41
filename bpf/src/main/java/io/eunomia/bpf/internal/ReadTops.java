package io.eunomia.bpf.internal;

import io.eunomia.event.path.PathPrefixes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The read filter's first look (file.bpf.c, map read_tops): the first path component of every read
 * prefix, so the kernel can keep back a read-only open whose file lies under none of them without
 * building its path. Empty when some prefix does not name its first component whole (a plain
 * string prefix such as "/e", or "/" itself) or names one of {@link #NAME_MAX} bytes or more: the
 * check is then left off and the full path decides every open.
 */
public final class ReadTops {
    /** READ_TOP_MAX in file.bpf.c: a name and its NUL padding. */
    public static final int NAME_MAX = 32;

    private ReadTops() {}

    /** The first components, or empty when the check cannot be exact for these prefixes. */
    public static Optional<Set<String>> of(PathPrefixes prefixes) {
        Set<String> tops = new TreeSet<>();
        for (byte[] p : prefixes.patterns()) {
            int end = 1;
            while (end < p.length && p[end] != '/' && p[end] != 0) {
                end++;
            }
            // The pattern must go on past the name ("/etc/", "/etc\0"): "/e" is a prefix of many names.
            if (p.length == 0 || p[0] != '/' || end == 1 || end >= p.length || end - 1 >= NAME_MAX) {
                return Optional.empty();
            }
            tops.add(new String(p, 1, end - 1, StandardCharsets.ISO_8859_1));
        }
        return Optional.of(tops);
    }

    /** The map key of a name from {@link #of}: its bytes, NUL-padded to {@link #NAME_MAX}. */
    public static byte[] key(String name) {
        byte[] key = new byte[NAME_MAX];
        byte[] b = name.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(b, 0, key, 0, b.length);
        return key;
    }
}
