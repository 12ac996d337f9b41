package io.eunomia.rules.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps an offset inside a scalar's value to its line and column in the file. YAML folds plain
 * multi-line scalars and strips the indentation of block scalars ({@code |}, {@code >}), so the
 * value is aligned line by line against the raw text: every content line appears verbatim in the
 * value, separated by a space or a newline. Limitation: in double-quoted scalars with escapes
 * (\n, \") the alignment stops at the first escape; later offsets point at the last aligned place.
 */
public final class ScalarPositions {
    private record Segment(int valueStart, int length, int line, int column) {}

    private final String file;
    private final List<Segment> segments;
    private final Loc start;

    private ScalarPositions(String file, List<Segment> segments, Loc start) {
        this.file = file;
        this.segments = segments;
        this.start = start;
    }

    /** Positions for a value that is not in any file (e.g. built by the compiler). */
    public static ScalarPositions at(Loc start) {
        return new ScalarPositions(start.file(), List.of(), start);
    }

    /**
     * @param lines  the file's lines
     * @param token  where the parser says the scalar starts (at an indicator or quote if any)
     * @param value  the scalar's value
     */
    public static ScalarPositions align(String[] lines, Loc token, String value) {
        int li = token.line() - 1;
        if (li < 0 || li >= lines.length || value.isEmpty()) {
            return at(token);
        }
        int col = token.column() - 1;
        String first = lines[li];
        char c = col < first.length() ? first.charAt(col) : ' ';
        List<Segment> segs = new ArrayList<>();
        int pos = 0;
        boolean firstLine = true;
        if (c == '|' || c == '>') {
            li++;                      // block scalar: content starts on the next line
            firstLine = false;
        } else if (c == '"' || c == '\'') {
            col++;
        }
        for (; li < lines.length && pos < value.length(); li++) {
            String raw = lines[li];
            int from = firstLine ? col : 0;
            if (!firstLine) {
                while (from < raw.length() && (raw.charAt(from) == ' ' || raw.charAt(from) == '\t')) {
                    from++;
                }
            }
            if (from >= raw.length()) {
                firstLine = false;
                continue;              // blank line: a newline in the value, nothing to align
            }
            while (pos < value.length() && (value.charAt(pos) == ' ' || value.charAt(pos) == '\n') && raw.charAt(from) != value.charAt(pos)) {
                pos++;
            }
            int n = 0;
            while (pos + n < value.length() && from + n < raw.length() && value.charAt(pos + n) == raw.charAt(from + n)) {
                n++;
            }
            if (n == 0) {
                break;                 // an escape or a comment line: stop aligning
            }
            segs.add(new Segment(pos, n, li + 1, from + 1));
            pos += n;
            firstLine = false;
        }
        return new ScalarPositions(token.file(), List.copyOf(segs), token);
    }

    public Loc locate(int offset) {
        if (segments.isEmpty()) {
            return new Loc(file, start.line(), start.column() + Math.max(offset, 0));
        }
        for (Segment s : segments) {
            if (offset < s.valueStart()) {
                return new Loc(file, s.line(), s.column());       // in a fold between lines
            }
            if (offset < s.valueStart() + s.length()) {
                return new Loc(file, s.line(), s.column() + offset - s.valueStart());
            }
        }
        Segment last = segments.getLast();
        return new Loc(file, last.line(), last.column() + Math.max(offset - last.valueStart(), 0));
    }
}
