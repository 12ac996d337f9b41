package io.eunomia.engine.cli;

/**
 * An expected failure caused by what the user gave (a bad file, an option that cannot work here):
 * {@code Main} prints its message (one or more located lines) without a stack trace and exits
 * with its code.
 */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;
    private final boolean located;

    /** A sentence for people: printed as "eunomia: message". */
    public UserError(int exitCode, String message) {
        this(exitCode, message, false);
    }

    /** @param located the message is file:line:column lines, printed as they are */
    public UserError(int exitCode, String message, boolean located) {
        super(message);
        this.exitCode = exitCode;
        this.located = located;
    }

    public int exitCode() {
        return exitCode;
    }

    /** Lines that start with their own file:line:column (no "eunomia:" prefix). */
    public boolean located() {
        return located;
    }
}
