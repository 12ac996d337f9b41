package io.eunomia.bench;

import java.util.Locale;

/**
 * A target such as issue 15's "every workload ≤ ×1.10" judged by a median's confidence interval
 * ({@link MedianInterval}) rather than by the median alone: on this shared machine a median moves
 * ±0.1–0.2 between two quiet runs, so a median under the limit does not show the target met.
 */
enum Verdict {
    /** The whole interval is at or under the limit. */
    MET("met"),
    /** The whole interval is over the limit. */
    NOT_MET("not met"),
    /** The interval holds the limit: these rounds tell neither. */
    UNDECIDED("undecided"),
    /**
     * The whole interval is under 1: the monitor cannot make a workload faster, so the sides differed by
     * more than the monitor (order, others' load or hooks): no verdict from such figures.
     */
    BIASED("biased: sides not comparable");

    private final String said;

    Verdict(String said) {
        this.said = said;
    }

    /**
     * For a figure where lower is better (a ratio of times): met when the interval's upper bound is ≤ limit,
     * not met when its lower bound is > limit; undecided otherwise, and whenever the interval covers the
     * median less than {@link MedianInterval#WANTED} (fewer than 6 rounds: min..max of 2 rounds is a 50% interval);
     * biased when the upper bound is under 1.
     */
    static Verdict atMost(MedianInterval ci, double limit) {
        if (Double.isNaN(ci.low()) || Double.isNaN(ci.high()) || ci.coverage() < MedianInterval.WANTED) {
            return UNDECIDED;
        }
        if (ci.high() < 1) {
            return BIASED;
        }
        if (ci.high() <= limit) {
            return MET;
        }
        return ci.low() > limit ? NOT_MET : UNDECIDED;
    }

    /** e.g. "met (≤ ×1.10, 96% CI)": the coverage said, since too few rounds give min..max at a lower one. */
    String against(double limit, MedianInterval ci) {
        return String.format(Locale.ROOT, "%s (≤ ×%.2f, %.0f%% CI)", said, limit, 100 * ci.coverage());
    }

    String said() {
        return said;
    }
}
