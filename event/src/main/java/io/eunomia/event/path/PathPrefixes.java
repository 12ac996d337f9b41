package io.eunomia.event.path;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The syntax and meaning of path-prefix filters (trace --path-prefix, the rules' file-read needs),
 * shared by the file sensor, which puts {@link #patterns()} into its kernel LPM trie, and by the
 * rule compiler. Also applied in Java for the paths the kernel could not judge as written ("/tmp/../etc/x").
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
    /** The longest pattern the sensors' LPM trie holds (struct path_key's data, in bytes). */
    public static final int DATA_MAX = 256;
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

    /**
     * The byte patterns a matching path (followed by NUL) starts with: one per prefix ending in
     * '/' or '*', two otherwise (the directory itself and what is below it).
     */
    public List<byte[]> patterns() {
        return patterns.stream().map(byte[]::clone).toList();
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
