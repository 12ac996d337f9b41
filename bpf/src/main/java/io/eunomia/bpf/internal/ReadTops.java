package io.eunomia.bpf.internal;

import io.eunomia.event.path.PathPrefixes;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The read filter's first look (file.bpf.c, map read_tops): the first two path components of every
 * read prefix, so the kernel can keep back a read-only open whose file lies under none of them
 * without building its path. A prefix that names its first component only ("/home/", "/etc") or
 * whose second is not a whole name below {@link #NAME_MAX} bytes ("/root/.ss*") stands for all of
 * its top-level directory. Empty when some prefix does not name its first component whole (a plain
 * string prefix such as "/e", or "/" itself) or names one of {@link #NAME_MAX} bytes or more: the
 * check is then left off and the full path decides every open.
 */
public final class ReadTops {
    /** READ_TOP_MAX in file.bpf.c: a name and its NUL padding. */
    public static final int NAME_MAX = 32;

    /** A top-level name and the name below it; {@code second} empty: anything below {@code first}. */
    public record Top(String first, String second) {}

    private ReadTops() {}

    /** The names, or empty when the check cannot be exact for these prefixes. */
    public static Optional<Set<Top>> of(PathPrefixes prefixes) {
        Set<Top> tops = new TreeSet<>(Comparator.comparing(Top::first).thenComparing(Top::second));
        for (byte[] p : prefixes.patterns()) {
            int end = nameEnd(p, 1);
            // The pattern must go on past the name ("/etc/", "/etc\0"): "/e" is a prefix of many names.
            if (p.length == 0 || p[0] != '/' || end == 1 || end >= p.length || end - 1 >= NAME_MAX) {
                return Optional.empty();
            }
            String first = text(p, 1, end);
            int end2 = p[end] == '/' ? nameEnd(p, end + 1) : end + 1;
            boolean whole = p[end] == '/' && end2 > end + 1 && end2 < p.length && end2 - end - 1 < NAME_MAX;
            tops.add(new Top(first, whole ? text(p, end + 1, end2) : ""));
        }
        return Optional.of(tops);
    }

    /** The map key of a {@link Top}: both names, each NUL-padded to {@link #NAME_MAX}. */
    public static byte[] key(Top top) {
        byte[] key = new byte[2 * NAME_MAX];
        byte[] a = top.first().getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = top.second().getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(a, 0, key, 0, a.length);
        System.arraycopy(b, 0, key, NAME_MAX, b.length);
        return key;
    }

    private static int nameEnd(byte[] p, int from) {
        int end = from;
        while (end < p.length && p[end] != '/' && p[end] != 0) {
            end++;
        }
        return end;
    }

    private static String text(byte[] p, int from, int to) {
        return new String(p, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
