package io.eunomia.bench;

import java.util.List;

/**
 * The median of paired per-round figures with a distribution-free confidence interval: the
 * k-th smallest and k-th largest of n values cover the true median with probability
 * 1 − 2·P(Binomial(n, ½) ≤ k − 1), whatever the noise's shape (a loaded machine's is skewed:
 * a round disturbed by others' work is far off, never symmetrically). k is the largest that keeps
 * that coverage at 95% or more; with fewer than 6 rounds no k does, and the interval is min..max
 * with its lower coverage said.
 *
 * @param coverage the interval's coverage (0.95..1; below 0.95 when there are too few rounds)
 */
record MedianInterval(double median, double low, double high, double coverage, int n) {
    static final double WANTED = 0.95;

    static MedianInterval of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        int k = 1;
        while (k + 1 <= (n + 1) / 2 && coverage(n, k + 1) >= WANTED) {
            k++;
        }
        return new MedianInterval(median, v[k - 1], v[n - k], coverage(n, k), n);
    }

    /** 1 − 2·P(Binomial(n, ½) ≤ k − 1): the chance that the true median lies between the k-th smallest and k-th largest. */
    static double coverage(int n, int k) {
        double tail = 0;
        double choose = 1;   // C(n, 0)
        for (int i = 0; i < k; i++) {
            tail += choose;
            choose = choose * (n - i) / (i + 1);
        }
        return Math.max(0, 1 - 2 * tail / Math.pow(2, n));
    }

    /** e.g. "×1.084 (×1.031..×1.140, 96% CI, 12 rounds)" for values that are ratios. */
    String ratio() {
        return String.format(java.util.Locale.ROOT, "×%.3f (×%.3f..×%.3f, %.0f%% CI, %d rounds)",
                median, low, high, 100 * coverage, n);
    }

    /** e.g. "+1.8% (−0.4..+3.9%, 96% CI, 12 rounds)" for values that are percentages. */
    String percent() {
        return String.format(java.util.Locale.ROOT, "%+.1f%% (%+.1f..%+.1f%%, %.0f%% CI, %d rounds)",
                median, low, high, 100 * coverage, n);
    }
}
