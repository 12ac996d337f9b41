package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RoundLengthTest {
    private final RoundLength rounds = RoundLength.ofMillis(4);

    @Test
    void aTrickleGetsLongerRoundsBoundedByTwiceTheBase() {
        assertThat(rounds.after(1)).isEqualTo(8_000_000L);
        assertThat(rounds.after(RoundLength.SPARSE_RECORDS - 1)).isEqualTo(8_000_000L);
        assertThat(rounds.after(1)).as("not growing round after round").isEqualTo(8_000_000L);
        assertThat(rounds.longestNanos()).isEqualTo(8_000_000L);
    }

    @Test
    void aDenseFlowKeepsTheBase() {
        assertThat(rounds.after(RoundLength.SPARSE_RECORDS)).isEqualTo(4_000_000L);
        assertThat(rounds.after(500)).isEqualTo(4_000_000L);
    }

    @Test
    void aRoundMustLast() {
        assertThatThrownBy(() -> RoundLength.ofMillis(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must last");
    }
}
