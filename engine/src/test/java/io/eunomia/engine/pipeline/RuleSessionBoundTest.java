package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.Event;
import io.eunomia.rules.AlertSink;
import io.eunomia.rules.DrlCompiler;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A flood of events that a multi-event rule keeps cannot grow the session past its cap. */
class RuleSessionBoundTest {
    private static final String JOIN = """
            package t;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;
            rule "open then exec" @priority("NOTICE")
            when
              $o : FileEvent( path str[startsWith] "/watched/" )
              $x : ExecEvent( this after[0s, 5m] $o )
            then alerts.raise(drools, $x); end
            """;

    @Test
    void retainedEventsAreCappedAndEvictionsCounted() throws Exception {
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("join.drl", JOIN)), Map.of());
        List<String> alerts = new ArrayList<>();
        try (RuleSession s = new RuleSession(base, ClockMode.EVENT_TIME, (AlertSink) (c, e) -> alerts.add("x"), 500)) {
            long t = 1_000_000_000L;
            for (int batch = 0; batch < 20; batch++) {
                List<Event> events = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    events.add(TestEvents.open(t += 1_000_000, 10, "cat", "/watched/x" + i));
                }
                s.process(events);
                assertThat(s.factCount()).isLessThanOrEqualTo(500);
            }
            assertThat(s.factCount()).isGreaterThanOrEqualTo(450);
            assertThat(s.evicted()).isEqualTo(20 * 250 - s.factCount());
            assertThat(alerts).isEmpty();
        }
    }

    @Test
    void eventsNoPatternAcceptsLeaveRightAfterTheFire() throws Exception {
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("join.drl", JOIN)), Map.of());
        try (RuleSession s = new RuleSession(base, ClockMode.EVENT_TIME, (AlertSink) (c, e) -> {}, 500)) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                events.add(TestEvents.open(1_000_000_000L + i, 10, "cat", i % 100 == 0 ? "/watched/x" : "/usr/lib/x" + i));
            }
            s.process(events);
            assertThat(s.factCount()).isEqualTo(10);
            assertThat(s.evicted()).isZero();
        }
    }

    /**
     * Live (real-time clock): no timer thread of Drools' own; events kept by a 1 s window leave when
     * the wall clock has passed it, at a fire of the owning thread.
     */
    @Test
    void theRealTimeClockStartsNoThreadAndExpiresByTheWallClock() throws Exception {
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("join.drl", JOIN.replace("5m", "1s"))), Map.of());
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (RuleSession s = new RuleSession(base, ClockMode.REALTIME, (AlertSink) (c, e) -> {}, 500)) {
            long now = System.currentTimeMillis() * 1_000_000L;
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                events.add(TestEvents.open(now + i, 10, "cat", "/watched/x" + i));
            }
            s.process(events);
            assertThat(s.factCount()).as("kept for the window (the clock moves only at an insert or a fire)").isEqualTo(100);
            assertThat(Thread.getAllStackTraces().keySet()).as("threads started by the session")
                    .filteredOn(t -> !before.contains(t))
                    .filteredOn(t -> Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().contains("ScheduledThreadPoolExecutor")))
                    .isEmpty();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (s.factCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                s.fire();
            }
            assertThat(s.factCount()).as("expired after the 1 s window").isZero();
        }
    }

    /**
     * A flood evicts events before their expiry: each eviction cancels the event's expiry job, and
     * the cancelled jobs must not pile up in the clock's queue (they would hold the evicted events).
     */
    @Test
    void cancelledExpiryJobsDoNotPileUp() throws Exception {
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("join.drl", JOIN)), Map.of());
        try (RuleSession s = new RuleSession(base, ClockMode.REALTIME, (AlertSink) (c, e) -> {}, 500)) {
            long now = System.currentTimeMillis() * 1_000_000L;
            for (int batch = 0; batch < 100; batch++) {
                List<Event> events = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    events.add(TestEvents.open(now + i, 10, "cat", "/watched/x" + i));
                }
                s.process(events);
            }
            assertThat(s.evicted()).isEqualTo(100 * 250 - s.factCount());
            // Drools' pseudo clock purges its cancelled jobs every 1000 cancellations (and a job is
            // queued per retained event and per window): far below the 24,500 evicted events' jobs
            // a queue without the purge holds.
            assertThat(queuedJobs(s)).isBetween(s.factCount(), s.factCount() + 2500L);
        }
    }

    /** Jobs in the pseudo clock's queue: a protected field, read here only (Drools has no getter). */
    private static long queuedJobs(RuleSession s) throws Exception {
        Object clock = sessionClockOf(s);
        java.lang.reflect.Field f = org.drools.core.time.impl.PseudoClockScheduler.class.getDeclaredField("queue");
        f.setAccessible(true);
        return ((java.util.Collection<?>) f.get(clock)).size();
    }

    private static Object sessionClockOf(RuleSession s) throws Exception {
        java.lang.reflect.Field f = RuleSession.class.getDeclaredField("session");
        f.setAccessible(true);
        return ((org.kie.api.runtime.KieSession) f.get(s)).getSessionClock();
    }
}
