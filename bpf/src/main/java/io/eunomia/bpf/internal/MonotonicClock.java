package io.eunomia.bpf.internal;

import io.eunomia.libbpf.Libc;

/**
 * Converts the kernel's CLOCK_MONOTONIC (bpf_ktime_get_ns) to epoch time with one offset,
 * measured once at start-up from the tightest of a few bracketed readings.
 */
public final class MonotonicClock {
    private final long offsetNanos;

    private MonotonicClock(long offsetNanos) {
        this.offsetNanos = offsetNanos;
    }

    public static MonotonicClock calibrate() {
        long bestWidth = Long.MAX_VALUE;
        long bestOffset = 0;
        for (int i = 0; i < 7; i++) {
            long m1 = Libc.clockNanos(Libc.CLOCK_MONOTONIC);
            long real = Libc.clockNanos(Libc.CLOCK_REALTIME);
            long m2 = Libc.clockNanos(Libc.CLOCK_MONOTONIC);
            if (m2 - m1 < bestWidth) {
                bestWidth = m2 - m1;
                bestOffset = real - (m1 + (m2 - m1) / 2);
            }
        }
        return new MonotonicClock(bestOffset);
    }

    /** A fixed offset, for tests and replays. */
    public static MonotonicClock withOffset(long offsetNanos) {
        return new MonotonicClock(offsetNanos);
    }

    public long toEpochNanos(long monotonicNanos) {
        return monotonicNanos + offsetNanos;
    }
}
