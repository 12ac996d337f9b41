package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.Event;
import io.eunomia.rules.AlertSink;
import io.eunomia.rules.DrlCompiler;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
     * Live (real-time clock): the session's timer thread is named (it runs the events' expiry jobs),
     * and a job cancelled leaves its queue at once instead of waking it at its time.
     */
    @Test
    void theRealTimeTimerIsNamedAndKeepsNoCancelledJobs() throws Exception {
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("join.drl", JOIN)), Map.of());
        try (RuleSession s = new RuleSession(base, ClockMode.REALTIME, (AlertSink) (c, e) -> {}, 500)) {
            java.util.concurrent.ScheduledThreadPoolExecutor timer = RuleTimer.scheduler(sessionClockOf(s)).orElseThrow();
            assertThat(timer.getRemoveOnCancelPolicy()).isTrue();
            long now = System.currentTimeMillis() * 1_000_000L;
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 100; i++) {   // each with an expiry job (the rule keeps them 5 minutes)
                events.add(TestEvents.open(now + i, 10, "cat", "/watched/x" + i));
            }
            s.process(events);
            assertThat(timer.getQueue()).isNotEmpty();
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).contains(RuleTimer.THREAD_NAME);
        }
    }

    private static Object sessionClockOf(RuleSession s) throws Exception {
        java.lang.reflect.Field f = RuleSession.class.getDeclaredField("session");
        f.setAccessible(true);
        return ((org.kie.api.runtime.KieSession) f.get(s)).getSessionClock();
    }
}
