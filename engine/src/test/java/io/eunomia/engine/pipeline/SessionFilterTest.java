package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.exec;
import static io.eunomia.engine.pipeline.TestEvents.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.EventType;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompiler;
import io.eunomia.rules.RuleSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which events the pre-session filter keeps out, on DRL and YAML rules, and where it must stay conservative. */
class SessionFilterTest {
    private static final String HEAD = """
            package test;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;
            """;

    private static RuleSession session(String... rules) throws Exception {
        String[] drl = new String[rules.length];
        for (int i = 0; i < rules.length; i++) {
            drl[i] = HEAD + rules[i];
        }
        return session(TestEvents.rules(drl));
    }

    private static RuleSession session(RuleBase rules) {
        return new RuleSession(rules, ClockMode.EVENT_TIME, (rule, events) -> { });
    }

    private static String rule(String name, String when) {
        return "rule \"" + name + "\" when\n  " + when + "\nthen\nend\n";
    }

    private static FileEvent write(String comm, ContainerInfo c, String path) {
        return new FileEvent(T0, TestEvents.proc(77, comm, c), FileOp.OPEN, "openat", path, "", 1, 0, -1, -1, 3, true);
    }

    @Test
    void singleEventConstraintsDecide() throws Exception {
        try (RuleSession s = session(TestEvents.rules(TestEvents.SECRET_RULE))) {
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/secret/key"))).isTrue();
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/usr/lib/x.so"))).isFalse();
            assertThat(s.wouldInsert(exec(T0, 1, "/bin/ls"))).as("a type no rule reads").isFalse();
        }
    }

    @Test
    void aWindowsConstraintsEqualToAPatternsAreEvaluatedOnceWithBothContinuations() throws Exception {
        // The default pack's shape (55-denials.drl): a pattern, and the same constraints again on a
        // window over the same events. Drools shares no node between them; the filter's steps are shared.
        String burst = "$e : FileEvent(path == \"/a\", process.comm == \"cat\")\n"
                + "  Number(intValue > 3) from accumulate(FileEvent(path == \"/a\", process.comm == \"cat\", result < 0) over window:time(1m), count(1))";
        try (RuleSession s = session(rule("burst", burst))) {
            // path, comm (reaching the rule), then result (reaching the window): not path, comm twice
            assertThat(s.newFilter().steps(EventType.FILE)).isEqualTo(3);
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/a"))).isTrue();
            assertThat(s.wouldInsert(open(T0, 1, "vi", "/a"))).isFalse();
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/b"))).isFalse();
            assertThat(s.admittedBy(open(T0, 1, "cat", "/a", -13))).as("both continuations").hasSize(2);
        }
    }

    @Test
    void aPatternWithoutConstraintsTakesEveryEventOfItsType() throws Exception {
        try (RuleSession s = session(rule("any", "FileEvent()"), rule("secret", "FileEvent(path == \"/secret\")"))) {
            assertThat(s.admitsAll(EventType.FILE)).isTrue();
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/usr/lib/x.so"))).isTrue();
        }
    }

    @Test
    void theAbstractEventTypeIsFilteredByItsOwnConstraintsOnly() throws Exception {
        try (RuleSession unconstrained = session(rule("any event", "Event()"))) {
            for (EventType t : EventType.values()) {
                assertThat(unconstrained.admitsAll(t)).as(t.name()).isTrue();
            }
        }
        try (RuleSession byComm = session(rule("nc", "Event(process.comm == \"nc\")"))) {
            assertThat(byComm.passesFilter(open(T0, 1, "nc", "/x"))).isTrue();
            assertThat(byComm.passesFilter(exec(T0, 1, "/usr/bin/nc"))).isTrue();
            assertThat(byComm.passesFilter(open(T0, 1, "cat", "/x"))).isFalse();
        }
    }

    @Test
    void windowsTakeTheEventsThatPassTheirPatternsConstraints() throws Exception {
        // A window tests its pattern's constraints before taking an event in: a length window
        // counts only the events that pass them, so the others change nothing.
        for (String window : List.of("window:length(10)", "window:time(1m)")) {
            try (RuleSession s = session(rule("burst", "Number(intValue > 3) from accumulate("
                    + "FileEvent(path == \"/a\", process.comm == \"cat\") over " + window + ", count(1))"))) {
                assertThat(s.wouldInsert(open(T0, 1, "cat", "/a"))).as(window).isTrue();
                assertThat(s.wouldInsert(open(T0, 1, "vi", "/a"))).as(window).isFalse();
                assertThat(s.wouldInsert(open(T0, 1, "cat", "/b"))).as(window).isFalse();
            }
        }
        try (RuleSession any = session(rule("burst", "Number(intValue > 3) from accumulate("
                + "FileEvent() over window:length(10), count(1))"))) {
            assertThat(any.admitsAll(EventType.FILE)).as("a window without constraints").isTrue();
        }
    }

    @Test
    void windowsReallyCountOnlyWhatPassesTheirConstraints() throws Exception {
        // What makes skipping exact for windows: 3 events of /a with 20 of /b between them fill a
        // length(5) window that filters on /a just as well as without the /b events.
        List<String> fired = new java.util.ArrayList<>();
        RuleBase rules = TestEvents.rules(HEAD + "rule \"three\" when\n  Number(intValue >= 3) from accumulate("
                + "FileEvent(path == \"/a\") over window:length(5), count(1))\nthen\n  alerts.raise(drools, new Event[0]);\nend\n");
        try (RuleSession s = new RuleSession(rules, ClockMode.EVENT_TIME, (rule, events) -> fired.add(rule.getRule().getName()))) {
            List<io.eunomia.event.Event> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 23; i++) {
                batch.add(open(T0 + i * 1_000_000L, 1, "cat", i % 10 == 0 ? "/a" : "/b"));
            }
            s.process(batch);
            assertThat(s.skipped(EventType.FILE)).isEqualTo(20);
        }
        assertThat(fired).containsExactly("three");
    }

    @Test
    void joinsNegationsAccumulatesAndTemporalOperatorsGetWhatTheirAlphaConstraintsPass() throws Exception {
        try (RuleSession s = session(
                rule("then", "$x : ExecEvent(exe == \"/bin/sh\")\n  FileEvent(path == \"/a\", this after[0s, 5s] $x)"),
                rule("absent", "$x : ExecEvent(exe == \"/bin/ls\")\n  not FileEvent(path == \"/b\", this after[0s, 5s] $x)"),
                rule("count", "Number(intValue > 3) from accumulate(FileEvent(path == \"/c\"), count(1))"),
                rule("exists", "exists FileEvent(path == \"/d\")"))) {
            assertThat(s.admitsAll(EventType.FILE)).isFalse();
            for (String p : List.of("/a", "/b", "/c", "/d")) {
                assertThat(s.wouldInsert(open(T0, 1, "cat", p))).as(p).isTrue();
            }
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/e"))).isFalse();
            assertThat(s.wouldInsert(exec(T0, 1, "/bin/sh"))).isTrue();
            assertThat(s.wouldInsert(exec(T0, 1, "/bin/ls"))).isTrue();
            assertThat(s.wouldInsert(exec(T0, 1, "/bin/cat"))).isFalse();
        }
    }

    @Test
    void aPatternOfAnotherTypeWithoutConstraintsKeepsTheJoinedTypeAdmitted() throws Exception {
        // The first pattern of a rule starts it: every exec goes in, whatever the file pattern says.
        try (RuleSession s = session(rule("then", "$x : ExecEvent()\n  FileEvent(path == \"/a\", this after $x)"))) {
            assertThat(s.admitsAll(EventType.EXEC)).isTrue();
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/b"))).isFalse();
        }
    }

    @Test
    void equalitiesDroolsHashesAreAllSeen() throws Exception {
        // Three or more == tests on one field: Drools looks them up in a hash, not one by one.
        try (RuleSession s = session(rule("a", "FileEvent(path == \"/a\")"), rule("b", "FileEvent(path == \"/b\")"),
                rule("c", "FileEvent(path == \"/c\")"), rule("d", "FileEvent(path == \"/d\", process.comm == \"vi\")"))) {
            for (String p : List.of("/a", "/b", "/c")) {
                assertThat(s.wouldInsert(open(T0, 1, "cat", p))).as(p).isTrue();
            }
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/d"))).isFalse();
            assertThat(s.wouldInsert(open(T0, 1, "vi", "/d"))).isTrue();
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/e"))).isFalse();
        }
    }

    @Test
    void aConstraintThatThrowsLetsTheEventIn() throws Exception {
        try (RuleSession s = session(rule("short paths throw", "FileEvent(path.substring(10) == \"x\")"))) {
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/a"))).as("substring(10) of \"/a\" throws").isTrue();
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/0123456789y"))).isFalse();
        }
    }

    @Test
    void theModesFilterAlikeOrTurnItOff() throws Exception {
        RuleBase rules = TestEvents.rules(TestEvents.SECRET_RULE);
        for (FilterMode mode : FilterMode.values()) {
            try (RuleSession s = new RuleSession(rules, ClockMode.EVENT_TIME, (rule, events) -> { },
                    RuleSession.DEFAULT_MAX_RETAINED, mode)) {
                assertThat(s.wouldInsert(open(T0, 1, "cat", "/usr/lib/x.so"))).as("%s", mode).isEqualTo(mode == FilterMode.OFF);
                assertThat(s.wouldInsert(open(T0, 1, "cat", "/secret/key"))).as("%s", mode).isTrue();
            }
        }
        assertThat(FilterMode.parse("Drools", "-Dx")).isEqualTo(FilterMode.DROOLS);
        assertThatThrownBy(() -> FilterMode.parse("fast", "-Deunomia.sessionFilter"))
                .hasMessage("-Deunomia.sessionFilter: 'fast' is no session filter mode (one of direct, drools, off)");
    }

    @Test
    void yamlRules() throws Exception {
        RuleBase rules = RuleCompiler.compile(List.of(new RuleSource("t.yaml", """
                - rule: Shadow read
                  desc: d
                  condition: evt.type = open and fd.name = /etc/shadow
                  output: "%proc.name"
                  priority: WARNING
                - rule: Shell
                  desc: d
                  condition: evt.type = execve and proc.name in (sh, bash)
                  output: "%proc.name"
                  priority: WARNING
                """)));
        try (RuleSession s = session(rules)) {
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/etc/shadow"))).isTrue();
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/etc/passwd"))).isFalse();
            assertThat(s.wouldInsert(exec(T0, 1, "/bin/bash"))).isTrue();
            assertThat(s.wouldInsert(exec(T0, 1, "/bin/ls"))).isFalse();
        }
    }

    @Test
    void theDefaultPackKeepsOutWhatTheSoakOffersAndTakesWhatItsRulesNeed() throws Exception {
        RuleBase pack = RuleCompiler.compile(DefaultPack.sources());
        try (RuleSession s = session(pack)) {
            FileEvent soak = write("syscall_loop", ContainerInfo.HOST, "/dev/null");
            assertThat(s.wouldInsert(soak)).as("a host process's write-open of /dev/null (the soak's events): %s",
                    s.admittedBy(soak)).isFalse();
            assertThat(s.wouldInsert(open(T0, 1, "cat", "/etc/shadow"))).isTrue();
            assertThat(s.wouldInsert(write("vi", ContainerInfo.HOST, "/etc/passwd"))).isTrue();
            assertThat(s.wouldInsert(write("cp", TestEvents.WEB, "/tmp/x")))
                    .as("a container's write: a drift candidate").isTrue();
            assertThat(s.wouldInsert(exec(T0, 1, "/bin/sh"))).isTrue();
        }
    }
}
