package io.eunomia.rules.internal;

/** A place in a rule file: 1-based line and column (0 when unknown). */
public record Loc(String file, int line, int column) {
    public static Loc unknown(String file) {
        return new Loc(file, 0, 0);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
