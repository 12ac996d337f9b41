package io.eunomia.engine.cli;

/**
 * An expected failure caused by what the user gave (a bad file, an option that cannot work here):
 * {@code Main} prints its message (one or more located lines) without a stack trace and exits
 * with its code.
 */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public UserError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
