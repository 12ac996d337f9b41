package io.eunomia.engine.config;

/**
 * The shared ring buffer's size in MiB (--ring-mib, ringMiB:): a power of two the kernel accepts
 * for a BPF ring buffer, bounded so that the doubled mapping of its data pages stays reasonable.
 */
public final class RingSize {
    public static final int DEFAULT_MIB = 4;
    public static final int MIN_MIB = 1;
    /** 1 GiB: the largest power of two whose byte count fits an int; the kernel maps it twice. */
    public static final int MAX_MIB = 1024;
    static final String ALLOWED = "a power of two from " + MIN_MIB + " to " + MAX_MIB + " (MiB: 1, 2, 4, 8, ... 1024; default "
            + DEFAULT_MIB + ")";

    private RingSize() {}

    /** The size checked; a bad one is an IllegalArgumentException saying what is allowed. */
    public static int mib(long mib) {
        if (mib < MIN_MIB || mib > MAX_MIB || Long.bitCount(mib) != 1) {
            throw new IllegalArgumentException(mib + " is not allowed for the ring buffer size: give " + ALLOWED);
        }
        return (int) mib;
    }

    /** The option's text checked; see {@link #mib(long)}. */
    public static int parse(String text) {
        long mib;
        try {
            mib = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number: the ring buffer size is " + ALLOWED);
        }
        return mib(mib);
    }

    public static int bytes(int mib) {
        return mib << 20;
    }
}
