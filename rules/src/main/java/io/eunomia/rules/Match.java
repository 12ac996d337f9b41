package io.eunomia.rules;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.eunomia.rules.internal.Glob;
import java.util.regex.Pattern;

/**
 * Operators of the YAML condition language that DRL has no indexable form for. Generated rules
 * call them with constant patterns; each pattern is parsed once and cached by its text (the
 * constant's hash code is cached by String, so a call is a map hit plus the match itself). The hit is
 * a plain {@code get} ({@link #cached}): {@code computeIfAbsent} locks the bin of a key that is not
 * its first, and these calls run for every event the session filter tests (bench/README.md).
 */
public final class Match {
    /** Separates the items of one {@code in}/{@code pmatch} constant (a newline: no condition item holds one). */
    public static final char SEP = '\n';

    private static final Map<String, Set<String>> SETS = new ConcurrentHashMap<>();
    private static final Map<String, String[]> PREFIXES = new ConcurrentHashMap<>();
    private static final Map<String, Glob> GLOBS = new ConcurrentHashMap<>();

    private Match() {}

    /** Whether value is one of the items, given as one string joined by {@link #SEP}. */
    public static boolean in(String value, String items) {
        return cached(SETS, items, Match::split).contains(value);
    }

    /** Whether any of the values is one of the items (Falco's intersects). */
    public static boolean intersects(List<String> values, String items) {
        for (String v : values) {
            if (in(v, items)) {
                return true;
            }
        }
        return false;
    }

    /** Whether value, as a decimal number, is one of the items. */
    public static boolean in(long value, String items) {
        return in(Long.toString(value), items);
    }

    /** Case-insensitive substring. */
    public static boolean icontains(String value, String part) {
        return value.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
    }

    /** Whether any element contains part, ignoring case. */
    public static boolean icontains(List<String> values, String part) {
        for (String v : values) {
            if (icontains(v, part)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Falco's pmatch: path is one of the prefixes or below one (on a '/' boundary: "/etc" matches
     * "/etc" and "/etc/passwd", not "/etcx").
     */
    public static boolean pmatch(String path, String prefixes) {
        for (String p : cached(PREFIXES, prefixes, s -> split(s).toArray(String[]::new))) {
            if (path.startsWith(p) && (path.length() == p.length() || p.endsWith("/") || path.charAt(p.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /** Shell glob: {@code *} any run of characters ('/' included, as Falco), {@code ?} one, {@code [abc]} a class. */
    public static boolean glob(String value, String pattern) {
        return cached(GLOBS, pattern, Glob::compile).matches(value);
    }

    /** The same glob as a regular expression (what {@link Glob} is checked against). */

    static Pattern compileGlob(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String cls = glob.substring(i + 1, end);
                        re.append('[').append(cls.startsWith("!") ? "^" + quoteClass(cls.substring(1)) : quoteClass(cls)).append(']');
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private static String quoteClass(String cls) {
        return cls.replace("\\", "\\\\").replace("[", "\\[").replace("&", "\\&");
    }

    /** The parsed form of a constant: a lock-free look-up once it is there. */
    private static <T> T cached(Map<String, T> cache, String constant, java.util.function.Function<String, T> parse) {
        T hit = cache.get(constant);
        return hit != null ? hit : cache.computeIfAbsent(constant, parse);
    }

    private static Set<String> split(String joined) {
        return Set.copyOf(java.util.Arrays.asList(joined.split(String.valueOf(SEP), -1)));
    }
}
