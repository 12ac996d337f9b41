package io.eunomia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MedianIntervalTest {
    @Test
    void coverageIsTheBinomialTailOfTheOrderStatistics() {
        // n = 10: P(B ≤ 0) = 1/1024, P(B ≤ 1) = 11/1024, P(B ≤ 2) = 56/1024
        assertThat(MedianInterval.coverage(10, 1)).isCloseTo(1 - 2.0 / 1024, within(1e-12));
        assertThat(MedianInterval.coverage(10, 2)).isCloseTo(1 - 22.0 / 1024, within(1e-12));
        assertThat(MedianInterval.coverage(10, 3)).isCloseTo(1 - 112.0 / 1024, within(1e-12));
    }

    @Test
    void tenRoundsDropTheMostExtremeOnEachSide() {
        // shuffled 1..10: median 5.5; k = 2 (97.9%); k = 3 would cover only 89%
        MedianInterval m = MedianInterval.of(List.of(7.0, 1.0, 10.0, 4.0, 2.0, 9.0, 3.0, 8.0, 6.0, 5.0));
        assertThat(m.median()).isEqualTo(5.5);
        assertThat(m.low()).isEqualTo(2.0);
        assertThat(m.high()).isEqualTo(9.0);
        assertThat(m.coverage()).isGreaterThanOrEqualTo(0.95);
        assertThat(m.n()).isEqualTo(10);
    }

    @Test
    void anOutlierRoundMovesNeitherTheMedianNorTheInterval() {
        List<Double> quiet = List.of(1.0, 2.0, 1.5, 2.5, 1.8, 2.2, 1.2, 2.1, 1.9, 1.6, 1.7, 2.0);
        List<Double> disturbed = new java.util.ArrayList<>(quiet);
        disturbed.set(3, 80.0);   // a round that others' work hit
        MedianInterval a = MedianInterval.of(quiet);
        MedianInterval b = MedianInterval.of(disturbed);
        assertThat(b.median()).isEqualTo(a.median());
        assertThat(b.high()).isLessThan(2.5);
    }

    @Test
    void fewRoundsGiveMinToMaxWithTheirLowerCoverageSaid() {
        MedianInterval m = MedianInterval.of(List.of(3.0, 1.0, 2.0, 5.0));
        assertThat(m.median()).isEqualTo(2.5);
        assertThat(m.low()).isEqualTo(1.0);
        assertThat(m.high()).isEqualTo(5.0);
        assertThat(m.coverage()).isCloseTo(0.875, within(1e-12));
        assertThat(m.percent()).isEqualTo("+2.5% (+1.0..+5.0%, 88% CI, 4 rounds)");
    }

    @Test
    void noValuesIsAnError() {
        assertThatThrownBy(() -> MedianInterval.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
