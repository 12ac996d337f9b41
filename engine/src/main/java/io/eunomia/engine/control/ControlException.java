package io.eunomia.engine.control;

/** A control request that cannot be done as asked: its HTTP status and what to do instead. */
public final class ControlException extends RuntimeException {
    private final int status;

    public ControlException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
