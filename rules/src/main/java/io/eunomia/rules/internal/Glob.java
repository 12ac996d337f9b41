package io.eunomia.rules.internal;

/**
 * A compiled shell glob that matches without allocating (conditions run it on every event a rule
 * sees; a regex Matcher per call was a tenth of the monitor's allocation): {@code *} any run of
 * characters, '/' included, as Falco; {@code ?} one; {@code [abc]}, {@code [a-z]} a class,
 * {@code [!a]} (or {@code [^a]}) its complement; a '[' without a closing ']' is itself.
 * Greedy matching with backtracking to the last star: linear in practice, at worst
 * value length × pattern length.
 */
public final class Glob {
    private static final byte LITERAL = 0;
    private static final byte ANY = 1;
    private static final byte STAR = 2;
    private static final byte CLASS = 3;

    private final byte[] kind;
    private final char[] literal;
    private final char[][] ranges;   // per CLASS token: lo, hi, lo, hi, ...
    private final boolean[] negated;

    private Glob(byte[] kind, char[] literal, char[][] ranges, boolean[] negated) {
        this.kind = kind;
        this.literal = literal;
        this.ranges = ranges;
        this.negated = negated;
    }

    public static Glob compile(String glob) {
        int n = glob.length();
        byte[] kind = new byte[n];
        char[] literal = new char[n];
        char[][] ranges = new char[n][];
        boolean[] negated = new boolean[n];
        int t = 0;
        for (int i = 0; i < n; i++, t++) {
            char c = glob.charAt(i);
            int end = c == '[' ? glob.indexOf(']', i + 2) : -1;
            if (c == '*') {
                kind[t] = STAR;
            } else if (c == '?') {
                kind[t] = ANY;
            } else if (end > 0) {
                String cls = glob.substring(i + 1, end);
                negated[t] = cls.startsWith("!") || cls.startsWith("^");
                ranges[t] = ranges(negated[t] ? cls.substring(1) : cls);
                kind[t] = CLASS;
                i = end;
            } else {
                kind[t] = LITERAL;
                literal[t] = c;
            }
        }
        return new Glob(java.util.Arrays.copyOf(kind, t), java.util.Arrays.copyOf(literal, t),
                java.util.Arrays.copyOf(ranges, t), java.util.Arrays.copyOf(negated, t));
    }

    private static char[] ranges(String cls) {
        StringBuilder out = new StringBuilder();
        for (int j = 0; j < cls.length(); j++) {
            char lo = cls.charAt(j);
            if (j + 2 < cls.length() && cls.charAt(j + 1) == '-') {
                out.append(lo).append(cls.charAt(j + 2));
                j += 2;
            } else {
                out.append(lo).append(lo);
            }
        }
        return out.toString().toCharArray();
    }

    public boolean matches(String value) {
        int n = value.length();
        int m = kind.length;
        int p = 0;
        int v = 0;
        int starP = -1;
        int starV = -1;
        while (v < n) {
            if (p < m && kind[p] == STAR) {
                starP = p++;
                starV = v;
            } else if (p < m && one(p, value.charAt(v))) {
                p++;
                v++;
            } else if (starP >= 0) {
                p = starP + 1;
                v = ++starV;
            } else {
                return false;
            }
        }
        while (p < m && kind[p] == STAR) {
            p++;
        }
        return p == m;
    }

    private boolean one(int p, char c) {
        return switch (kind[p]) {
            case LITERAL -> literal[p] == c;
            case ANY -> true;
            default -> inClass(p, c) != negated[p];
        };
    }

    private boolean inClass(int p, char c) {
        char[] r = ranges[p];
        for (int i = 0; i < r.length; i += 2) {
            if (c >= r[i] && c <= r[i + 1]) {
                return true;
            }
        }
        return false;
    }
}
