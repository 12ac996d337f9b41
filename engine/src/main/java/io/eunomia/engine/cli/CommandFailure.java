package io.eunomia.engine.cli;

/**
 * A command cannot do what was asked, for a reason the user can fix: the message is the one line
 * printed (what went wrong, what to do), the exit status one of those listed in Main.
 */
public final class CommandFailure extends RuntimeException {
    private final int exitCode;

    public CommandFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
