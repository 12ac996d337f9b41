package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SocketFamily;
import io.eunomia.event.SocketType;
import io.eunomia.event.StreamKind;
import io.eunomia.event.SyscallEvent;
import io.eunomia.rules.AlertSink;
import io.eunomia.rules.RuleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What stays in the session after a fire, and for how long: the cases where leaving early would miss an alert. */
class RetentionTest {
    private static final String HDR = "package t;\nimport io.eunomia.event.*;\nglobal io.eunomia.rules.AlertSink alerts;\n";
    private static final long S = 1_000_000_000L;
    private static final long T0 = TestEvents.T0;

    private static ProcessInfo inWeb(int pid, String comm) {
        return new ProcessInfo(pid, pid, 1, 0, 0, 0, 0, comm, 4026532001L, 7, 4026532002L, 9, TestEvents.WEB);
    }

    @Test
    void aFloodOfOneKindCannotPushOutTheFewEventsASequenceWaitsOn() throws Exception {
        // Outbound connects of a container are held for "shell then outbound connection"; 210k of
        // them (past the cap) must not evict the shell's exec that the rule waits on.
        RuleBase pack = new RuleLoader(List.of(), true).load();
        List<String> alerts = new ArrayList<>();
        try (RuleSession s = new RuleSession(pack, ClockMode.EVENT_TIME, (AlertSink) (c, e) -> alerts.add(c.getRule().getName()))) {
            s.process(List.of(new ExecEvent(T0, inWeb(100, "bash"), 100, "/bin/bash", List.of("bash"), 1, false, "",
                    StreamKind.PIPE, StreamKind.PIPE, StreamKind.PIPE, 0)));
            flood(s, i -> new NetEvent(T0 + S + i * 10_000L, inWeb(200, "app"), NetOp.CONNECT, "connect", 3, SocketFamily.INET,
                    SocketType.STREAM, 6, "10.0.0.2", 40000, "10.0.0.9", 443, 0, 0));
            assertThat(s.evicted()).isPositive();
            assertThat(s.factCount()).isLessThanOrEqualTo(RuleSession.DEFAULT_MAX_RETAINED + 4096);
            s.process(List.of(new NetEvent(T0 + 5 * S, inWeb(100, "bash"), NetOp.CONNECT, "connect", 3, SocketFamily.INET,
                    SocketType.STREAM, 6, "10.0.0.2", 40000, "203.0.113.7", 443, 0, 0)));
        }
        assertThat(alerts).contains("Shell in container then outbound connection");
    }

    @Test
    void containerWritesLeaveTheSessionOnceTheDriftRuleHasNotedThem() throws Exception {
        RuleBase pack = new RuleLoader(List.of(), true).load();
        try (RuleSession s = new RuleSession(pack, ClockMode.EVENT_TIME, (AlertSink) (c, e) -> {})) {
            flood(s, i -> new FileEvent(T0 + i * 10_000L, inWeb(100, "app"), FileOp.OPEN, "openat", "/tmp/x" + (i % 100), "",
                    01, 0644, -1, -1, 3, true));
            // What stays: the 100 candidates the drift rule remembers, not the 210k writes.
            assertThat(s.factCount()).isLessThan(200);
            assertThat(s.evicted()).isZero();
        }
    }

    @Test
    void aStormOfSingleEventAlertsLeavesNothingInTheSession() throws Exception {
        // Another tool's burst of setuid chmods (issue 15): "Set setuid or setgid bit" fires for each
        // u+s; every event, its match and its fact handle must leave at the fire, whatever the clock,
        // so the session holds nothing between batches and no alert is lost.
        RuleBase pack = new RuleLoader(List.of(), true).load();
        for (ClockMode clock : ClockMode.values()) {
            List<String> alerts = new ArrayList<>();
            try (RuleSession s = new RuleSession(pack, clock, (AlertSink) (c, e) -> alerts.add(c.getRule().getName()))) {
                long t0 = System.currentTimeMillis() * 1_000_000L;
                List<Event> batch = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    long t = t0 + i * 545_000L;   // 110k calls a minute
                    ProcessInfo p = inWeb(4242, "chmod");
                    long mode = i % 2 == 0 ? 04755 : 0755;
                    batch.add(new SyscallEvent(t, p, "chmod", 90, Map.of("mode", mode), Map.of("path", "/tmp/f"), 0));
                    batch.add(new FileEvent(t, p, FileOp.CHMOD, "chmod", "/tmp/f", "", 0, (int) mode, -1, -1, 0, true, "/tmp/f", "", false));
                    if (batch.size() == 2048) {
                        s.process(batch);
                        batch.clear();
                        // What may stay: the drift rule's one candidate for /tmp/f (an x bit set in a container).
                        assertThat(s.factCount()).as(clock + " facts after a batch").isLessThanOrEqualTo(1);
                    }
                }
                s.process(batch);
                assertThat(s.factCount()).as(clock + " facts at the end").isLessThanOrEqualTo(1);
                assertThat(s.evicted()).isZero();
            }
            assertThat(alerts).as(clock.toString()).filteredOn("Set setuid or setgid bit"::equals).hasSize(10_000);
        }
    }

    private static void flood(RuleSession s, java.util.function.IntFunction<Event> event) {
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < 210_000; i++) {
            batch.add(event.apply(i));
            if (batch.size() == 4096) {
                s.process(batch);
                batch = new ArrayList<>();
            }
        }
        s.process(batch);
    }

    @Test
    void aMatchWaitingOnTheAgendaKeepsItsEvent() throws Exception {
        RuleBase b = TestEvents.rules(HDR + """
                rule "grouped" @priority("NOTICE") agenda-group "later" when
                  $o : FileEvent( path str[startsWith] "/w/" )
                then alerts.raise(drools, $o); end
                rule "focus" @priority("NOTICE") when
                  $x : ExecEvent( exe == "/bin/focus" )
                then drools.getKnowledgeRuntime().getAgenda().getAgendaGroup("later").setFocus(); end
                """);
        List<String> alerts = new ArrayList<>();
        try (RuleSession s = new RuleSession(b, ClockMode.EVENT_TIME, (AlertSink) (c, e) -> alerts.add("x"))) {
            s.process(List.of(TestEvents.open(T0, 10, "cat", "/w/x")));
            s.process(List.of(TestEvents.exec(T0 + S, 11, "/bin/focus")));
            assertThat(alerts).hasSize(1);
        }
    }

    @Test
    void anUnboundedJoinLeavesAtTheHorizonEvenBehindALongWindow() throws Exception {
        RuleBase b = TestEvents.rules(HDR + """
                rule "window" @priority("NOTICE") when
                  Number( intValue > 1000 ) from accumulate( FileEvent( path == "/w/win" ) over window:time(1h), count() )
                then end
                rule "unbounded" @priority("NOTICE") when
                  $o : ExecEvent( exe == "/a" )
                  $x : ExecEvent( exe == "/b", process.pid == $o.process.pid )
                then alerts.raise(drools, $x); end
                """);
        List<String> alerts = new ArrayList<>();
        try (RuleSession s = new RuleSession(b, ClockMode.EVENT_TIME, (AlertSink) (c, e) -> alerts.add("x"))) {
            s.process(List.of(TestEvents.open(T0, 10, "cat", "/w/win")));
            s.process(List.of(TestEvents.exec(T0 + S, 20, "/a")));
            s.process(List.of(TestEvents.exec(T0 + 20 * 60 * S, 21, "/x")));    // 20 minutes on
            s.process(List.of(TestEvents.exec(T0 + 20 * 60 * S + S, 20, "/b")));
        }
        assertThat(alerts).isEmpty();
    }
}
