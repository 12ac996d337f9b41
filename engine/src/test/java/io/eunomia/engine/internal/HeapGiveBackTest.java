package io.eunomia.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.internal.HeapGiveBack.OldGeneration;
import io.eunomia.engine.internal.HeapGiveBack.Rule;
import org.junit.jupiter.api.Test;

class HeapGiveBackTest {
    private static final long MIB = 1 << 20;
    private static final long MINUTE = 60_000_000_000L;

    @Test
    void aBurstsGarbageIsCollectedOnceTheOldGenerationWasQuietForFiveMinutes() {
        Rule rule = new Rule();
        OldGeneration grown = new OldGeneration(120 * MIB, 20 * MIB, 3);   // the soak's: 120 MiB committed, 20 live
        assertThat(rule.due(grown, 0)).as("the first look only learns the count").isFalse();
        assertThat(rule.due(grown, 4 * MINUTE)).isFalse();
        assertThat(rule.due(grown, 5 * MINUTE)).isTrue();
    }

    @Test
    void aFullCollectionSinceTheLastLookStartsTheQuietTimeAgain() {
        Rule rule = new Rule();
        rule.due(new OldGeneration(120 * MIB, 20 * MIB, 3), 0);
        assertThat(rule.due(new OldGeneration(120 * MIB, 20 * MIB, 4), 5 * MINUTE)).isFalse();
        assertThat(rule.due(new OldGeneration(120 * MIB, 20 * MIB, 4), 9 * MINUTE)).isFalse();
        assertThat(rule.due(new OldGeneration(120 * MIB, 20 * MIB, 4), 10 * MINUTE)).isTrue();
    }

    @Test
    void anOldGenerationWithinTheSlackOfItsLiveDataIsLeftAlone() {
        Rule rule = new Rule();
        OldGeneration fitting = new OldGeneration(33 * MIB, 20 * MIB, 3);   // what the ratios 20/40 leave after a collection
        rule.due(fitting, 0);
        assertThat(rule.due(fitting, 60 * MINUTE)).isFalse();
        assertThat(rule.due(new OldGeneration(20 * MIB + HeapGiveBack.SLACK_BYTES, 20 * MIB, 3), 61 * MINUTE)).isTrue();
    }

    @Test
    void startsAndStopsOnThisJvm() throws Exception {
        try (HeapGiveBack ignored = HeapGiveBack.start()) {
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).contains("eunomia-heap");
        }
    }
}
