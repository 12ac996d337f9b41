package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SocketFamily;
import io.eunomia.event.SocketType;
import io.eunomia.event.StreamKind;
import io.eunomia.testkit.RuleTexts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.drools.core.time.SessionPseudoClock;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionConfiguration;
import org.kie.api.runtime.conf.ClockTypeOption;
import org.junit.jupiter.api.Test;

class DrlCompilerTest {
    private static final ProcessInfo P = new ProcessInfo(10, 10, 1, 0, 0, 0, 0, "sh", 4026532177L, 9, 4026532178L, 1,
            new ContainerInfo("c".repeat(64), "web", "nginx:1", "docker", "", ""));

    static final String SHELL_THEN_CONNECT = """
            package test;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;

            rule "Shell then outbound connection"
              @priority("CRITICAL") @tags("mitre_execution,T1059") @output("shell %proc.name connected out")
            when
              $s : ExecEvent( argv.size() > 0, exe == "/bin/sh" )
              $c : NetEvent( op == NetOp.CONNECT, process.pid == $s.process.pid, this after[0s, 10s] $s )
            then
              alerts.raise(drools, $s, $c);
            end
            """;

    @Test
    void compilesMetadataTypesAndTemporalRules() throws Exception {
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("t.drl", SHELL_THEN_CONNECT)), Map.of());
        assertThat(base.eventTypes()).containsExactlyInAnyOrder(EventType.EXEC, EventType.NET);
        RuleInfo r = base.rule("Shell then outbound connection").orElseThrow();
        assertThat(r.priority()).isEqualTo(Priority.CRITICAL);
        assertThat(r.tags()).containsExactly("mitre_execution", "T1059");

        KieSessionConfiguration conf = org.kie.api.KieServices.get().newKieSessionConfiguration();
        conf.setOption(ClockTypeOption.PSEUDO);
        KieSession s = base.kieBase().newKieSession(conf, null);
        List<String> fired = new ArrayList<>();
        s.setGlobal(AlertSink.GLOBAL, (AlertSink) (ctx, events) -> fired.add(ctx.getRule().getName() + ":" + events.length));
        SessionPseudoClock clock = s.getSessionClock();
        s.insert(new ExecEvent(0, P, 10, "/bin/sh", List.of("sh"), 1, false, "", StreamKind.PIPE, StreamKind.PIPE,
                StreamKind.PIPE, 0));
        clock.advanceTime(3, TimeUnit.SECONDS);
        s.insert(new NetEvent(0, P, NetOp.CONNECT, "connect", 3, SocketFamily.INET, SocketType.STREAM, 6, "10.0.0.2",
                40000, "203.0.113.9", 4444, 0, 0));
        s.fireAllRules();
        assertThat(fired).containsExactly("Shell then outbound connection:2");
        s.dispose();
    }

    @Test
    void errorsSayFileLineAndWhat() {
        String broken = "package test;\nimport io.eunomia.event.*;\nrule \"x\" when\n  ExecEvent( nosuchfield == 1 )\nthen end\n";
        assertThatThrownBy(() -> DrlCompiler.compile(List.of(new RuleSource("rules/bad.drl", broken)), Map.of()))
                .isInstanceOf(RuleCompileException.class)
                .satisfies(e -> {
                    RuleError err = ((RuleCompileException) e).errors().get(0);
                    assertThat(err.file()).contains("bad.drl");
                    assertThat(err.line()).isEqualTo(4);
                    assertThat(err.message()).contains("nosuchfield");
                    assertThat(err.column()).isEqualTo(14);
                    assertThat(err.message()).startsWith("found unknown field 'nosuchfield' of ExecEvent, expected one of: "
                            + "epochNanos, process, oldPid, exe, argv");
                });
    }


    @Test
    void aPackagesOwnEventDeclarationWinsOverThePreamble() throws Exception {
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("t.drl", """
                package t;
                import io.eunomia.event.*;
                global io.eunomia.rules.AlertSink alerts;
                declare ExecEvent @role(event) @expires(10m) end
                rule "exec then exec"
                when
                  $a : ExecEvent( exe == "/bin/a" )
                  $b : ExecEvent( exe == "/bin/b", process.pid == $a.process.pid )
                then alerts.raise(drools, $b); end
                """)), Map.of());
        long expiry = ((org.drools.core.impl.InternalRuleBase) base.kieBase()).getRete().getObjectTypeNodes().stream()
                .filter(n -> n.getObjectType() instanceof org.drools.base.base.ClassObjectType c && c.getClassType() == ExecEvent.class)
                .mapToLong(org.drools.core.reteoo.ObjectTypeNode::getExpirationOffset).max().orElseThrow();
        assertThat(expiry).isBetween(600_000L, 600_001L);
    }

    @Test
    void aRuleOnTheAbstractEventReadsEveryTypeAndIsWarnedAboutAtItsHeader() throws Exception {
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("rules/any.drl", RuleTexts.ANYTHING_BY_NC)), Map.of());
        assertThat(base.eventTypes()).as("every type enters the session and gets its sensor")
                .containsExactlyInAnyOrder(EventType.values());
        assertThat(base.eventTypesByRule().get("Anything by nc")).containsExactlyInAnyOrder(EventType.values());
        assertThat(base.warnings()).singleElement().satisfies(w -> {
            assertThat(w.file()).isEqualTo("rules/any.drl");
            assertThat(w.line()).isEqualTo(4);
            assertThat(w.message()).startsWith("rule 'Anything by nc' matches Event( ... ), not one event type: it is evaluated "
                    + "on every event (exec, exit, fork, file, net, cap, syscall, violation)").contains("e.g. ExecEvent( ... )");
        });

        KieSession s = base.kieBase().newKieSession();
        List<String> fired = new ArrayList<>();
        s.setGlobal(AlertSink.GLOBAL, (AlertSink) (ctx, events) -> fired.add(events[0].getClass().getSimpleName()));
        ProcessInfo nc = new ProcessInfo(11, 11, 1, 0, 0, 0, 0, "nc", 4026532177L, 9, 4026532178L, 1, P.container());
        s.insert(new ExecEvent(0, nc, 11, "/bin/nc", List.of("nc"), 1, false, "", StreamKind.PIPE, StreamKind.PIPE,
                StreamKind.PIPE, 0));
        s.insert(new NetEvent(0, nc, NetOp.CONNECT, "connect", 3, SocketFamily.INET, SocketType.STREAM, 6, "10.0.0.2",
                40000, "203.0.113.9", 4444, 0, 0));
        s.fireAllRules();
        assertThat(fired).containsExactlyInAnyOrder("ExecEvent", "NetEvent");
        s.dispose();
    }
}
