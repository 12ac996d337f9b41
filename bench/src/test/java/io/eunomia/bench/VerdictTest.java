package io.eunomia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.eunomia.bench.WorkloadRuns.Figure;
import io.eunomia.bench.WorkloadRuns.Runs;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VerdictTest {
    private static final double LIMIT = 1.10;

    private static MedianInterval ci(Double... ratios) {
        return MedianInterval.of(List.of(ratios));
    }

    /**
     * The interval against the limit, its bounds counting as under it: 10 rounds give the 2nd..9th value
     * (a 98% interval: a round far off either way falls outside), 6 rounds min..max.
     */
    static Stream<Arguments> intervalsAgainstTheLimit() {
        return Stream.of(
                arguments("wholly under", List.of(1.05, 1.02, 1.09, 1.04, 1.01, 1.06, 1.03, 1.07, 1.08, 1.20), 1.02, 1.09, Verdict.MET),
                arguments("upper bound on it", List.of(1.0, 1.05, 1.10, 1.02, 1.03, 1.04), 1.0, 1.10, Verdict.MET),
                arguments("wholly over", List.of(1.12, 1.31, 1.20, 1.15, 1.25, 1.18, 1.22, 1.30, 1.05, 1.40), 1.12, 1.31, Verdict.NOT_MET),
                arguments("lower bound on it", List.of(1.10, 1.20, 1.30, 1.25, 1.15, 1.22), 1.10, 1.30, Verdict.UNDECIDED));
    }

    @ParameterizedTest(name = "{0}: {4}")
    @MethodSource("intervalsAgainstTheLimit")
    void anIntervalIsJudgedByItsBoundsAgainstTheLimit(
            String where, List<Double> ratios, double low, double high, Verdict expected) {
        MedianInterval m = MedianInterval.of(ratios);
        assertThat(m.low()).isEqualTo(low);
        assertThat(m.high()).isEqualTo(high);
        assertThat(Verdict.atMost(m, LIMIT)).isEqualTo(expected);
    }

    @Test
    void anIntervalWhollyUnderOneIsBiasedNotMet() {
        // README's 300 x true wall row: ×0.808 (×0.645..×0.967); the monitor cannot make a workload faster
        MedianInterval m = ci(0.645, 0.70, 0.75, 0.80, 0.81, 0.85, 0.90, 0.967, 0.60, 0.99);
        assertThat(m.high()).isLessThan(1);
        assertThat(Verdict.atMost(m, LIMIT)).isEqualTo(Verdict.BIASED);
        assertThat(Verdict.atMost(m, LIMIT).against(LIMIT, m)).startsWith("biased: sides not comparable");
        // an interval reaching 1 is judged as before
        assertThat(Verdict.atMost(ci(0.95, 0.97, 0.98, 0.99, 1.00, 1.01), LIMIT)).isEqualTo(Verdict.MET);
    }

    @Test
    void aRoundIsComparableOnlyWhenEverySideStartedWithTheSameKnownLinkCount() {
        assertThat(PairedRounds.comparable(Set.of(24L))).isTrue();
        assertThat(PairedRounds.comparable(Set.of(24L, 810L))).isFalse();
        assertThat(PairedRounds.comparable(Set.of(-1L))).isFalse();
    }

    @Test
    void anIntervalStraddlingTheLimitIsUndecidedEvenWithItsMedianUnder() {
        MedianInterval m = ci(1.02, 1.04, 1.06, 1.08, 1.09, 1.11, 1.13, 1.15, 1.05, 1.07);
        assertThat(m.median()).isLessThan(LIMIT);
        assertThat(m.low()).isLessThan(LIMIT);
        assertThat(m.high()).isGreaterThan(LIMIT);
        assertThat(Verdict.atMost(m, LIMIT)).isEqualTo(Verdict.UNDECIDED);
    }

    @Test
    void tooFewRoundsDecideNothing() {
        // 4 rounds: min..max covers the median 88% of the time, under the 95% wanted
        MedianInterval four = ci(1.01, 1.02, 1.03, 1.04);
        assertThat(Verdict.atMost(four, LIMIT).against(LIMIT, four)).isEqualTo("undecided (≤ ×1.10, 88% CI)");
        assertThat(Verdict.atMost(ci(1.21, 1.22, 1.23, 1.24, 1.25), LIMIT)).isEqualTo(Verdict.UNDECIDED);
        assertThat(four.ratio()).isEqualTo("×1.025 (×1.010..×1.040, 88% CI, 4 rounds)");
        // 6 rounds: min..max is a 97% interval
        MedianInterval six = ci(1.01, 1.02, 1.03, 1.04, 1.05, 1.06);
        assertThat(Verdict.atMost(six, LIMIT).against(LIMIT, six)).isEqualTo("met (≤ ×1.10, 97% CI)");
    }

    @Test
    void aRowTakesEachRoundsRatioOfTheSidesMediansWithinTheRound() {
        // The machine slows down round by round, and each side has a run far off either way: the ratio of
        // the sides' medians, taken within each round, stays 1.05 wall and 1.20 CPU.
        List<Runs[]> rounds = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            double scale = 1 + r;
            Runs off = new Runs(List.of(0.010 * scale, 0.011 * scale, 0.5), List.of(0.004 * scale, 0.9, 0.004 * scale));
            Runs on = new Runs(List.of(0.5, 0.01155 * scale, 0.0), List.of(0.0048 * scale, 0.0, 0.0048 * scale));
            rounds.add(new Runs[] {off, on});
        }
        PairedRounds.Row wall = PairedRounds.Row.of(rounds, Figure.WALL, LIMIT);
        assertThat(wall.ratio().median()).isCloseTo(1.05, within(1e-9));
        assertThat(wall.min()).isCloseTo(1.05, within(1e-9));
        assertThat(wall.max()).isCloseTo(1.05, within(1e-9));
        assertThat(wall.verdict()).isEqualTo(Verdict.MET);
        PairedRounds.Row cpu = PairedRounds.Row.of(rounds, Figure.CPU, LIMIT);
        assertThat(cpu.ratio().median()).isCloseTo(1.20, within(1e-9));
        assertThat(cpu.verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(cpu.reference()).isCloseTo(0.018, within(1e-9));   // rounds 4 and 5: 0.016, 0.020
    }

    @Test
    void theFloorsShareOfTheMonitorsExcess() {
        assertThat(WorkloadFloorBench.share(1.05, 1.20)).isEqualTo("+5.0% of +20.0%: 25% floor / 75% Eunomia's");
        assertThat(WorkloadFloorBench.share(1.30, 1.20)).isEqualTo("+30.0% of +20.0%: 100% floor / 0% Eunomia's");
        assertThat(WorkloadFloorBench.share(1.02, 0.99)).startsWith("the monitor's median is ×0.990");
    }
}
