package io.eunomia.bpf.internal;

/**
 * How long the sensor poller's next round is, from how many records the last one found. Each round
 * costs the poller a timed wake-up (40–75 µs of CPU on this VM: bench/README.md, sparse events),
 * whatever it finds. While records flow densely a round carries dozens and the base length bounds
 * their wait; while they trickle (a shell loop of short-lived programs: a few records per process,
 * milliseconds apart) most rounds carry one or two, and a round twice as long takes in what two
 * would have, for half the wake-ups. A record's wait stays bounded: at most twice the base.
 */
public record RoundLength(long baseNanos) {
    /** A round that found fewer records than this was a trickle: the next one is longer. */
    public static final int SPARSE_RECORDS = 8;
    /** How much longer than the base a trickle's rounds are. */
    public static final int SPARSE_FACTOR = 2;

    public RoundLength {
        if (baseNanos <= 0) {
            throw new IllegalArgumentException("a round must last, got " + baseNanos + " ns");
        }
    }

    public static RoundLength ofMillis(int baseMillis) {
        return new RoundLength(baseMillis * 1_000_000L);
    }

    /** The length of the round that starts after one that found {@code records} records. */
    public long after(int records) {
        return records < SPARSE_RECORDS ? baseNanos * SPARSE_FACTOR : baseNanos;
    }

    /** The longest a record waits in the ring while the poller is in rounds. */
    public long longestNanos() {
        return baseNanos * SPARSE_FACTOR;
    }
}
