package io.eunomia.rules.internal;

import io.eunomia.event.path.PathNormalizer;
import io.eunomia.event.path.PathPrefixes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An upper bound on the paths of the reads a condition can be true for: any path, or paths equal
 * to or starting with a few strings. Intersection and union are exact on this form, so {@code and}
 * keeps the tighter bound and {@code or} the union without losing precision.
 */
record ReadBound(boolean any, Set<Item> items) {
    /** A path equal to {@code text} (exact) or starting with it (a plain string prefix). */
    record Item(String text, boolean exact) {
        boolean covers(Item o) {
            return exact ? o.exact && o.text.equals(text) : o.text.startsWith(text);
        }
    }

    static final ReadBound ANY = new ReadBound(true, Set.of());
    static final ReadBound NONE = new ReadBound(false, Set.of());
    /** Past this many items an intersection keeps one side whole: still a bound, just a wider one. */
    private static final int MAX_PAIRS = 4096;

    ReadBound {
        items = Set.copyOf(items);
    }

    static ReadBound exact(String path) {
        return of(List.of(new Item(path, true)));
    }

    static ReadBound prefix(String prefix) {
        return of(List.of(new Item(prefix, false)));
    }

    /** The union of items; a prefix every absolute path has ("" or "/") is no bound at all. */
    static ReadBound of(List<Item> items) {
        for (Item i : items) {
            if (!i.exact && (i.text.isEmpty() || i.text.equals("/"))) {
                return ANY;
            }
        }
        Set<Item> kept = new LinkedHashSet<>();
        for (Item i : items) {
            if (items.stream().noneMatch(o -> !o.equals(i) && o.covers(i))) {
                kept.add(i);
            }
        }
        return new ReadBound(false, kept);
    }

    boolean none() {
        return !any && items.isEmpty();
    }

    ReadBound or(ReadBound o) {
        if (any || o.any) {
            return ANY;
        }
        List<Item> all = new ArrayList<>(items);
        all.addAll(o.items);
        return of(all);
    }

    ReadBound and(ReadBound o) {
        if (any) {
            return o;
        }
        if (o.any) {
            return this;
        }
        if ((long) items.size() * o.items.size() > MAX_PAIRS) {
            return items.size() <= o.items.size() ? this : o;
        }
        List<Item> both = new ArrayList<>();
        for (Item a : items) {
            for (Item b : o.items) {
                if (a.covers(b)) {
                    both.add(b);
                } else if (b.covers(a)) {
                    both.add(a);
                }
            }
        }
        return of(both);
    }

    /**
     * The bound in the sensors' path-prefix syntax ({@link PathPrefixes}), empty when it is no
     * bound. Each entry may admit more than its item (an exact path also admits what is below
     * it; a prefix the syntax cannot hold is cut back to one it can), never less. Items that no
     * reported read can match are left out: a successful open reports the file's canonical path,
     * absolute and normalised.
     */
    Optional<List<String>> entries() {
        if (any) {
            return Optional.empty();
        }
        Set<String> out = new TreeSet<>(); // sorted: the generated DRL, hence the build's cache key, must not vary
        for (Item i : items) {
            String e = i.exact ? exactEntry(i.text) : prefixEntry(i.text);
            if (e == null) {
                continue;
            }
            if (e.equals("/")) {
                return Optional.empty();
            }
            out.add(e);
        }
        // "/etc/ssl" (the path and below, as an exact entry is written) already holds "/etc/ssl/".
        out.removeIf(e -> e.length() > 1 && e.endsWith("/") && out.contains(e.substring(0, e.length() - 1)));
        return Optional.of(List.copyOf(out));
    }

    private static String exactEntry(String path) {
        if (path.equals("/")) {
            return "/"; // the syntax has no "just /": no bound
        }
        if (!path.startsWith("/") || path.endsWith("/") || !PathNormalizer.normalize(path).equals(path)) {
            return null;
        }
        return valid(path) ? path : prefixEntry(path.substring(0, path.lastIndexOf('/') + 1));
    }

    /** The longest prefix of text the syntax takes: no ',' (the list separator), no NUL, at most 250 bytes. */
    private static String prefixEntry(String text) {
        String s = text;
        for (char bad : new char[] {',', '\0'}) {
            int at = s.indexOf(bad);
            if (at >= 0) {
                s = s.substring(0, at);
            }
        }
        while (s.getBytes(StandardCharsets.UTF_8).length > 250) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.startsWith("/")) {
            return text.startsWith("/") ? "/" : null;
        }
        String dir = s.substring(0, s.lastIndexOf('/') + 1);
        String tail = s.substring(dir.length());
        if (!PathNormalizer.normalize(dir).equals(dir.length() > 1 ? dir.substring(0, dir.length() - 1) : dir)) {
            return null; // "//" or "." or ".." in the directory part: no canonical path starts so
        }
        if (tail.isEmpty() || tail.equals(".") || tail.equals("..") || !valid(s + "*")) {
            return dir;
        }
        return s + "*";
    }

    private static boolean valid(String entry) {
        if (entry.contains(",") || !entry.strip().equals(entry)) {
            return false;
        }
        try {
            PathPrefixes.of(List.of(entry));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
