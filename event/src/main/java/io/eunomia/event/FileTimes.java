package io.eunomia.event;

import java.time.Instant;
import java.util.Optional;

/**
 * The times a utimes call set explicitly (FileOp.UTIMES), as the kernel's timespec pair: seconds since
 * the epoch and nanoseconds (a timeval's microseconds and a utimbuf's whole seconds made so).
 *
 * @param atimeNsec {@link #OMIT} when the call left the access time as it was
 * @param mtimeNsec {@link #OMIT} when the call left the modification time as it was
 */
public record FileTimes(long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) {
    /** UTIME_OMIT: that time left unchanged. */
    public static final long OMIT = (1L << 30) - 2;
    /** UTIME_NOW: that time set to now (the kernel reports it only beside an explicit other). */
    public static final long NOW = (1L << 30) - 1;

    /** The access time set, if one was set to a given value. */
    public Optional<Instant> atime() {
        return at(atimeSec, atimeNsec);
    }

    /** The modification time set, if one was set to a given value. */
    public Optional<Instant> mtime() {
        return at(mtimeSec, mtimeNsec);
    }

    private static Optional<Instant> at(long sec, long nsec) {
        return nsec == OMIT || nsec == NOW || nsec < 0 || nsec >= 1_000_000_000L ? Optional.empty()
                : Optional.of(Instant.ofEpochSecond(sec, nsec));
    }
}
