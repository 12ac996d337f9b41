package io.eunomia.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the running monitor warns of lost events, and what the warning counts (explicit times: no waiting). */
class LossWarningsTest {
    private static final long MINUTE = LossWarnings.MIN_INTERVAL_NANOS;

    @Test
    void lossesSinceStartAreWarnedAtOnceThenAtMostOnceAMinuteWithWhatCameSince() {
        // Losses before the monitor's first look (its start) are not news.
        LossWarnings.Tally t = new LossWarnings.Tally(Map.of("file", 5L, "process", 0L), 0);
        assertThat(t.look(Map.of("file", 5L, "process", 0L), 0, 1)).isEmpty();
        assertThat(t.look(Map.of("file", 471_200L, "process", 3L), 0, 2)).hasValueSatisfying(w -> assertThat(w)
                .contains("since start", "kernel could not deliver", "file 471195", "process 3", "eunomia_dropped_events_total")
                .doesNotContain("pipeline"));
        // More within the minute: silent, kept for the next warning.
        assertThat(t.look(Map.of("file", 471_300L, "process", 3L), 7, 2 + MINUTE - 1)).isEmpty();
        assertThat(t.look(Map.of("file", 471_400L, "process", 3L), 9, 2 + MINUTE)).hasValueSatisfying(w -> assertThat(w)
                .contains("since the last warning", "file 200", "full queue refused: 9").doesNotContain("process"));
        // Nothing new: nothing said, however long after.
        assertThat(t.look(Map.of("file", 471_400L, "process", 3L), 9, 10 * MINUTE)).isEmpty();
    }

    @Test
    void theLookAtStopSaysWhatIsUnsaidWhateverTheIntervalWithTheKernelsTotalAndWhatToDo() {
        LossWarnings.Tally t = new LossWarnings.Tally(Map.of("file", 0L), 0);
        assertThat(t.look(Map.of("file", 10L), 0, 1)).hasValueSatisfying(w -> assertThat(w)
                .contains("file 10 (10 in all; give a larger --ring-mib, ringMiB: in the configuration file)"));
        assertThat(t.look(Map.of("file", 15L), 0, 2, false)).as("within the minute").isEmpty();
        assertThat(t.look(Map.of("file", 15L), 0, 3, true)).as("at stop").hasValueSatisfying(w -> assertThat(w)
                .contains("since the last warning", "file 5 (15 in all;"));
        assertThat(t.look(Map.of("file", 15L), 0, 4, true)).as("nothing unsaid").isEmpty();
    }
}
