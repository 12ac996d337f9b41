package io.eunomia.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.internal.HeapGiveBack.OldGeneration;
import io.eunomia.engine.internal.HeapGiveBack.Rule;
import org.junit.jupiter.api.Test;

class HeapGiveBackTest {
    private static final long MIB = 1 << 20;
    private static final long MINUTE = 60_000_000_000L;

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstsGarbageIsCollectedOnceTheOldGenerationWasQuietForThirtySeconds() {
        Rule rule = new Rule();
        OldGeneration grown = new OldGeneration(120 * MIB, 20 * MIB, 3);   // a soak's: 120 MiB committed, 20 live
        assertThat(rule.due(grown, 0)).as("the first look only learns the count").isFalse();
        assertThat(rule.due(grown, 20 * SECOND)).isFalse();
        assertThat(rule.due(grown, 30 * SECOND)).isTrue();
    }

    @Test
    void aFullCollectionSinceTheLastLookStartsTheQuietTimeAgain() {
        Rule rule = new Rule();
        rule.due(new OldGeneration(120 * MIB, 20 * MIB, 3), 0);
        assertThat(rule.due(new OldGeneration(120 * MIB, 20 * MIB, 4), 30 * SECOND)).isFalse();
        assertThat(rule.due(new OldGeneration(120 * MIB, 20 * MIB, 4), 50 * SECOND)).isFalse();
        assertThat(rule.due(new OldGeneration(120 * MIB, 20 * MIB, 4), 60 * SECOND)).isTrue();
    }

    @Test
    void anOldGenerationWithinTheSlackOfItsLiveDataIsLeftAlone() {
        Rule rule = new Rule();
        OldGeneration fitting = new OldGeneration(33 * MIB, 20 * MIB, 3);   // what the ratios 20/40 leave after a collection
        rule.due(fitting, 0);
        assertThat(rule.due(fitting, 60 * MINUTE)).isFalse();
        assertThat(rule.due(new OldGeneration(39 * MIB, 20 * MIB, 3), 61 * MINUTE)).as("19 MiB more than 20 live").isFalse();
        assertThat(rule.due(new OldGeneration(40 * MIB, 20 * MIB, 3), 62 * MINUTE)).as("as much garbage as live data").isTrue();
    }

    @Test
    void aSmallLiveSetStillGetsTheFixedSlack() {
        Rule rule = new Rule();
        rule.due(new OldGeneration(10 * MIB, 4 * MIB, 1), 0);
        assertThat(rule.due(new OldGeneration(4 * MIB + HeapGiveBack.SLACK_BYTES - 1, 4 * MIB, 1), MINUTE)).isFalse();
        assertThat(rule.due(new OldGeneration(4 * MIB + HeapGiveBack.SLACK_BYTES, 4 * MIB, 1), MINUTE)).isTrue();
    }

    @Test
    void aLargeLiveSetIsCollectedAgainOnlyOnceItsGarbageMatchesIt() {
        Rule rule = new Rule();
        rule.due(new OldGeneration(250 * MIB, 150 * MIB, 5), 0);   // a session that really holds 150 MiB
        assertThat(rule.due(new OldGeneration(299 * MIB, 150 * MIB, 5), 10 * MINUTE)).isFalse();
        assertThat(rule.due(new OldGeneration(300 * MIB, 150 * MIB, 5), 11 * MINUTE)).isTrue();
    }

    @Test
    void startsAndStopsOnThisJvm() throws Exception {
        try (HeapGiveBack ignored = HeapGiveBack.start()) {
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).contains("eunomia-heap");
        }
    }
}
