package io.eunomia.profiler;

import java.time.Instant;

/** The small rules every union in the model shares. */
final class Merging {
    private Merging() {}

    static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Counts add; a count nobody knows stays unknown only when neither side knows it. */
    static Long sum(Long a, Long b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : Long.valueOf(a + b);
    }
}
