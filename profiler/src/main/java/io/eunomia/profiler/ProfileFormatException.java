package io.eunomia.profiler;

import java.io.IOException;

/**
 * A profile file that cannot be read as a profile: broken YAML, a truncated file, a wrong
 * version, a missing or unknown key, a bad value. The message is
 * {@code file:line:column: what is wrong; what was expected}.
 */
public final class ProfileFormatException extends IOException {
    private final String file;
    private final int line;
    private final int column;
    private final String problem;

    public ProfileFormatException(String file, int line, int column, String problem) {
        super(file + ":" + line + ":" + column + ": " + problem);
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The message without the position. */
    public String problem() {
        return problem;
    }
}
