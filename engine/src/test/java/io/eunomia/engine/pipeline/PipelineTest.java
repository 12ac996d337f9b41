package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.alert.OutputRenderer;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.event.EventType;
import io.eunomia.rules.RuleBase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private static final long MS = 1_000_000L;
    private static RuleBase secret;

    @BeforeAll
    static void compile() throws Exception {
        secret = TestEvents.rules(TestEvents.SECRET_RULE);
    }

    private static Pipeline.Settings replay() {
        return TestEvents.replaySettings();
    }

    @Test
    void insertsInBatchesAndRaisesAlertsWithRenderedOutput() throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(secret, replay(), out, new OutputRenderer());
        int n = 20_000;
        for (int i = 0; i < n; i++) {   // queued before the thread starts: batches fill up
            p.offer(open(T0 + i * MS, 100 + i % 7, "cat", i % 1000 == 0 ? "/secret/key" : "/usr/lib/x.so"));
        }
        p.start();
        assertThat(p.awaitProcessed(Duration.ofSeconds(30))).isTrue();
        p.close();
        Pipeline.Stats s = p.stats();
        assertThat(s.processed()).isEqualTo(n);
        assertThat(s.inserted()).as("only the /secret opens can match: the others are skipped").isEqualTo(20);
        assertThat(s.skipped()).isEqualTo(n - 20);
        assertThat(s.batches()).as("one fire per batch of up to 2048").isLessThanOrEqualTo(n / 2048 + 1);
        assertThat(s.dropped()).isZero();
        List<Alert> alerts = out.alerts();
        assertThat(alerts).hasSize(20);
        Alert a = alerts.getFirst();
        assertThat(a.rule()).isEqualTo("Secret opened");
        assertThat(a.output()).isEqualTo("cat opened /secret/key in web");
        assertThat(a.tags()).containsExactly("test", "T0000");
        assertThat(a.container().name()).isEqualTo("web");
        assertThat(a.epochNanos()).isEqualTo(T0);
        assertThat(a.count()).isEqualTo(1);
    }

    @Test
    void onlyEventTypesSomeRuleReadsEnterTheSession() throws Exception {
        assertThat(secret.eventTypes()).containsExactly(EventType.FILE);
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(secret, replay(), out, new OutputRenderer()).start();
        for (int i = 0; i < 100; i++) {
            p.offer(TestEvents.exec(T0 + i * MS, 5, "/bin/ls"));
        }
        p.offer(open(T0 + 200 * MS, 5, "cat", "/secret/a"));
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        assertThat(p.stats().processed()).isEqualTo(101);
        assertThat(p.stats().inserted()).isEqualTo(1);
        assertThat(out.alerts()).hasSize(1);
    }

    /** A rule on the abstract Event gets events of every type: through the type filter and the SessionFilter. */
    @Test
    void aRuleOnTheAbstractEventFiresOnEventsOfAnyType() throws Exception {
        RuleBase any = TestEvents.rules("""
                package test;
                import io.eunomia.event.*;
                global io.eunomia.rules.AlertSink alerts;
                rule "Any by pid 7"
                  @fileReads("none") @output("%evt.type by %proc.pid")
                when
                  $e : Event( process.pid == 7 )
                then
                  alerts.raise(drools, $e);
                end
                """);
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(any, replay(), out, new OutputRenderer()).start();
        p.offer(TestEvents.exec(T0, 7, "/bin/ls"));
        p.offer(open(T0 + MS, 7, "cat", "/etc/hosts", -2));
        p.offer(TestEvents.exec(T0 + 2 * MS, 8, "/bin/ls"));
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        assertThat(out.alerts()).extracting(Alert::output).containsExactly("exec by 7", "open by 7");
        assertThat(p.stats().inserted()).isEqualTo(2);
        assertThat(p.stats().skipped()).isEqualTo(1);
    }

    @Test
    void identicalAlertsWithinTheWindowAreAggregated() throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(secret, replay().withAggregationWindow(Duration.ofSeconds(10)), out, new OutputRenderer()).start();
        for (int i = 0; i < 5; i++) {       // 5 identical in 4 s
            p.offer(open(T0 + i * 1000 * MS, 42, "cat", "/secret/key"));
        }
        p.offer(open(T0 + 2000 * MS, 43, "vi", "/secret/key"));   // different output: its own alert
        p.offer(open(T0 + 12_000 * MS, 44, "cat", "/secret/key")); // the group repeated: it stays open, counted
        p.offer(open(T0 + 32_000 * MS, 42, "cat", "/secret/key")); // after a quiet window: new first alert
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        List<Alert> alerts = out.alerts();
        assertThat(alerts).extracting(Alert::output, Alert::count, Alert::summary).containsExactly(
                org.assertj.core.groups.Tuple.tuple("cat opened /secret/key in web", 1L, false),
                org.assertj.core.groups.Tuple.tuple("vi opened /secret/key in web", 1L, false),
                org.assertj.core.groups.Tuple.tuple("cat opened /secret/key in web", 4L, true),
                org.assertj.core.groups.Tuple.tuple("cat opened /secret/key in web", 1L, true),
                org.assertj.core.groups.Tuple.tuple("cat opened /secret/key in web", 1L, false));
        Alert summary = alerts.get(2);
        assertThat(summary.spanSeconds()).isEqualTo(4.0);
        assertThat(alerts.get(3).spanSeconds()).as("from the window's start to its last repeat").isEqualTo(2.0);
        assertThat(alerts.stream().mapToLong(Alert::count).sum()).as("counts add up to firings").isEqualTo(8);
    }

    @Test
    void eventsNoRuleCanJoinLeaveRightAfterTheFire() throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(secret, replay(), out, new OutputRenderer()).start();
        for (int i = 0; i < 5000; i++) {
            p.offer(open(T0 + i * MS, 9, "cat", i == 4999 ? "/secret/x" : "/usr/lib/libc.so.6"));
        }
        assertThat(p.awaitProcessed(Duration.ofSeconds(30))).isTrue();
        long facts = p.stats().facts();
        p.close();
        assertThat(facts).isZero();
        assertThat(out.alerts()).hasSize(1);
    }

    @Test
    void eventsLeaveWhenTheLongestWindowThatReadsThemHasPassed() throws Exception {
        // Drools infers FileEvent's expiry from "after[0s, 10s]": 20 minutes of matching events at
        // 10/s leave about 10 s worth in the session.
        long facts = factsAfter20MinutesAt10PerSecond("""
                  $x : ExecEvent( process.pid == $f.process.pid, this after[0s, 10s] $f )
                """);
        assertThat(facts).isBetween(1L, 10L * 10 + 2 * 64);
    }

    @Test
    void eventsJoinedWithoutATimeBoundLeaveAfterTheDefaultHorizon() throws Exception {
        long facts = factsAfter20MinutesAt10PerSecond("""
                  $x : ExecEvent( process.pid == $f.process.pid )
                """);
        assertThat(facts).isBetween(4L * 60 * 10, Retention.DEFAULT_HORIZON_MILLIS / 1000 * 10 + 2 * 64);
    }

    private long factsAfter20MinutesAt10PerSecond(String secondPattern) throws Exception {
        RuleBase temporal = TestEvents.rules("""
                package t;
                import io.eunomia.event.*;
                global io.eunomia.rules.AlertSink alerts;
                rule "Open then exec" @output("%proc.name")
                when
                  $f : FileEvent( path == "/usr/lib/libc.so.6" )
                """ + secondPattern + """
                then alerts.raise(drools, $f, $x); end
                """);
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(temporal, replay().withBatchSize(64), out, new OutputRenderer()).start();
        int perSecond = 10;
        int seconds = 20 * 60;
        for (int i = 0; i < seconds * perSecond; i++) {
            while (!p.offer(open(T0 + i * (1000 / perSecond) * MS, 9, "cat", "/usr/lib/libc.so.6"))) {
                Thread.sleep(1);
            }
        }
        assertThat(p.awaitProcessed(Duration.ofSeconds(60))).isTrue();
        long facts = p.stats().facts();
        p.close();
        assertThat(out.alerts()).isEmpty();
        return facts;
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfGrowing() throws Exception {
        Pipeline p = new Pipeline(secret, replay().withQueueCapacity(100), new InMemoryOutput(), new OutputRenderer());
        for (int i = 0; i < 1000; i++) {
            p.offer(open(T0 + i, 1, "cat", "/x"));
        }
        assertThat(p.stats().accepted()).isEqualTo(100);
        assertThat(p.stats().dropped()).isEqualTo(900);
        p.start();
        assertThat(p.awaitProcessed(TestEvents.PROCESSED)).isTrue();
        p.close();
        assertThat(p.stats().processed()).isEqualTo(100);
    }

    @Test
    void aSwapLosesNoEventAndTheNewRulesSeeTheQueuedOnes() throws Exception {
        String other = TestEvents.SECRET_RULE.replace("Secret opened", "Secret opened v2");
        RuleBase v2 = TestEvents.rules(other);
        InMemoryOutput out = new InMemoryOutput();
        Pipeline p = new Pipeline(secret, replay().withBatchSize(16), out, new OutputRenderer()).start();
        int n = 50_000;
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                while (!p.offer(open(T0 + i * MS, 1, "cat", "/secret/" + i))) {
                    Thread.onSpinWait();
                }
            }
        });
        Thread.sleep(20);
        p.swap(v2).get();
        producer.join();
        assertThat(p.awaitProcessed(Duration.ofSeconds(60))).isTrue();
        p.close();
        List<Alert> alerts = out.alerts();
        assertThat(p.stats().dropped()).isZero();
        assertThat(alerts).as("every event raised exactly one alert, old rules or new").hasSize(n);
        assertThat(alerts.getFirst().rule()).isEqualTo("Secret opened");
        assertThat(alerts.getLast().rule()).isEqualTo("Secret opened v2");
        assertThat(p.stats().reloads()).isEqualTo(1);
    }
}
