package io.eunomia.bpf.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The file sensor's path-prefix filter, in the kernel's LPM trie (file.bpf.c, map path_prefixes)
 * and again in Java for the paths the kernel could not judge as written ("/tmp/../etc/x").
 * <p>
 * Matching is by whole path components unless the prefix says otherwise:
 * <ul>
 * <li>{@code /etc} matches {@code /etc} and everything below it, not {@code /etcfoo};</li>
 * <li>{@code /etc/} matches only what is below {@code /etc};</li>
 * <li>{@code /var/log/app*} is a plain string prefix: {@code /var/log/app}, {@code /var/log/app.1}, ...</li>
 * </ul>
 * Paths the filter cannot judge always pass: empty (unreadable), relative (unknown directory) and
 * kernel-cut ("//...") paths. A dropped event cannot be recovered; an extra one can be ignored.
 */
public final class PathPrefixes {
    /** struct path_key: u32 prefixlen (bits) + char data[256]; 256 is the LPM trie's data limit. */
    public static final int DATA_MAX = 256;
    public static final int KEY_SIZE = 4 + DATA_MAX;
    /** max_entries of path_prefixes; a prefix without '/' or '*' at its end takes two. */
    public static final int MAX_ENTRIES = 1024;

    private final List<String> prefixes;
    private final List<byte[]> patterns;

    private PathPrefixes(List<String> prefixes, List<byte[]> patterns) {
        this.prefixes = prefixes;
        this.patterns = patterns;
    }

    /**
     * Parses the user's prefixes.
     *
     * @throws IllegalArgumentException for a prefix that is not absolute, holds "." / ".." / empty
     *         components (no reported path ever does, so it could never match), or is too long
     */
    public static PathPrefixes of(List<String> prefixes) {
        List<byte[]> patterns = new ArrayList<>();
        for (String p : prefixes) {
            patterns.addAll(patternsOf(p));
        }
        if (patterns.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("too many path prefixes: " + prefixes.size() + " need " + patterns.size()
                    + " trie entries, at most " + MAX_ENTRIES + " fit");
        }
        return new PathPrefixes(List.copyOf(prefixes), List.copyOf(patterns));
    }

    private static List<byte[]> patternsOf(String prefix) {
        if (prefix.isEmpty() || prefix.charAt(0) != '/') {
            throw new IllegalArgumentException("path prefix must be absolute: '" + prefix + "'");
        }
        if (prefix.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path prefix contains NUL: '" + prefix.replace('\0', '?') + "'");
        }
        boolean raw = prefix.endsWith("*");
        String body = raw ? prefix.substring(0, prefix.length() - 1) : prefix;
        String dir = body.endsWith("/") ? body.substring(0, body.length() - 1) : body;
        if (!dir.isEmpty() && !PathNormalizer.normalize(dir).equals(dir)) {
            throw new IllegalArgumentException("path prefix must be normalised (no '.', '..' or '//'): '" + prefix + "'");
        }
        List<String> texts = raw || body.endsWith("/") ? List.of(body) : List.of(body + "/", body + "\0");
        List<byte[]> out = new ArrayList<>();
        for (String t : texts) {
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            if (b.length > DATA_MAX) {
                throw new IllegalArgumentException("path prefix longer than " + (DATA_MAX - 1) + " bytes: '" + prefix + "'");
            }
            out.add(b);
        }
        return out;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    public List<String> prefixes() {
        return prefixes;
    }

    /** The LPM trie keys (struct path_key, native byte order). */
    public List<byte[]> trieKeys() {
        List<byte[]> keys = new ArrayList<>(patterns.size());
        for (byte[] p : patterns) {
            keys.add(ByteBuffer.allocate(KEY_SIZE).order(ByteOrder.nativeOrder())
                    .putInt(p.length * 8).put(p).array());
        }
        return keys;
    }

    /** Whether a normalised path is watched (always true when no prefix is set). */
    public boolean matches(String path) {
        if (patterns.isEmpty() || path.isEmpty() || path.charAt(0) != '/' || path.startsWith("//")) {
            return true;
        }
        byte[] b = (path + "\0").getBytes(StandardCharsets.UTF_8);
        for (byte[] p : patterns) {
            if (b.length >= p.length && Arrays.equals(b, 0, p.length, p, 0, p.length)) {
                return true;
            }
        }
        return false;
    }
}
