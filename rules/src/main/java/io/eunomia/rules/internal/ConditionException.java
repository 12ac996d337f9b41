package io.eunomia.rules.internal;

/** A syntax error in a condition, at an offset of its text. */
public final class ConditionException extends Exception {
    private final int offset;

    public ConditionException(int offset, String message) {
        super(message);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
