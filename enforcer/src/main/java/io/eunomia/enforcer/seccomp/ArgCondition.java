package io.eunomia.enforcer.seccomp;

/**
 * One argument comparison of a rule: argument {@code index} (0–5) compared with {@code value} by
 * {@code op}, all unsigned 64-bit as the kernel's filter compares them. For {@link ArgOp#MASKED_EQ}
 * {@code value} is the mask and {@code valueTwo} the expected {@code arg & mask}; other operators
 * ignore {@code valueTwo}.
 */
public record ArgCondition(int index, long value, long valueTwo, ArgOp op) implements Comparable<ArgCondition> {
    public static final int MAX_INDEX = 5;

    public ArgCondition {
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("argument index must be 0.." + MAX_INDEX + ", got " + index);
        }
    }

    public static ArgCondition eq(int index, long value) {
        return new ArgCondition(index, value, 0, ArgOp.EQ);
    }

    /** {@code (arg & mask) == expected}. */
    public static ArgCondition masked(int index, long mask, long expected) {
        return new ArgCondition(index, mask, expected, ArgOp.MASKED_EQ);
    }

    /** Whether an argument value satisfies this comparison. */
    public boolean test(long arg) {
        return switch (op) {
            case NE -> arg != value;
            case LT -> Long.compareUnsigned(arg, value) < 0;
            case LE -> Long.compareUnsigned(arg, value) <= 0;
            case EQ -> arg == value;
            case GE -> Long.compareUnsigned(arg, value) >= 0;
            case GT -> Long.compareUnsigned(arg, value) > 0;
            case MASKED_EQ -> (arg & value) == valueTwo;
        };
    }

    /** {@code arg0 == 2}, {@code arg1 & 0xf == 1}: for people. */
    public String describe() {
        String arg = "arg" + index;
        return switch (op) {
            case NE -> arg + " != " + Long.toUnsignedString(value);
            case LT -> arg + " < " + Long.toUnsignedString(value);
            case LE -> arg + " <= " + Long.toUnsignedString(value);
            case EQ -> arg + " == " + Long.toUnsignedString(value);
            case GE -> arg + " >= " + Long.toUnsignedString(value);
            case GT -> arg + " > " + Long.toUnsignedString(value);
            case MASKED_EQ -> arg + " & 0x" + Long.toHexString(value) + " == 0x" + Long.toHexString(valueTwo);
        };
    }

    @Override
    public int compareTo(ArgCondition o) {
        int c = Integer.compare(index, o.index);
        if (c == 0) {
            c = op.compareTo(o.op);
        }
        if (c == 0) {
            c = Long.compareUnsigned(value, o.value);
        }
        return c != 0 ? c : Long.compareUnsigned(valueTwo, o.valueTwo);
    }
}
