package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.event.NetInterest;
import io.eunomia.event.NetOp;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the compiler infers (YAML) or reads (DRL @netEvents) about the socket events rules can match. */
class NetInterestDerivationTest {
    private static NetInterest yaml(String condition) throws RuleCompileException {
        return OneRule.yaml(condition).netEvents();
    }

    private static NetInterest drl(String annotation, String pattern) throws RuleCompileException {
        return OneRule.drl(annotation, pattern).netEvents();
    }

    private static NetInterest of(Set<NetOp> other, Set<NetOp> loopback) {
        return new NetInterest(other, loopback);
    }

    @Test
    void theDefaultPackReadsConnectsOnly() throws Exception {
        NetInterest n = RuleCompiler.compile(DefaultPack.sources()).netEvents();
        assertThat(RuleCompiler.check(DefaultPack.sources()).netEvents()).as("interpreted build").isEqualTo(n);
        System.out.println("default pack socket events: " + n.describe());
        // ssh to a reverse-shell port and a container reaching port 6443 may go to loopback: connects all.
        assertThat(n).isEqualTo(of(EnumSet.of(NetOp.CONNECT), EnumSet.of(NetOp.CONNECT)));
    }

    @Test
    void theOperationBoundsTheEvents() throws Exception {
        assertThat(yaml("evt.type = connect and proc.name = nc")).isEqualTo(of(Set.of(NetOp.CONNECT), Set.of(NetOp.CONNECT)));
        assertThat(yaml("evt.type in (accept4, listen) and fd.sport = 22").describe()).isEqualTo("accept,listen");
        assertThat(yaml("evt.type = sendto").describe()).isEqualTo("connect");
        assertThat(yaml("evt.type = bind and not fd.rip = 10.0.0.1").describe()).isEqualTo("bind");
        assertThat(yaml("evt.type != connect and fd.sport = 80").describe()).isEqualTo("accept,bind,listen");
        // A rule on another event type matches no socket event.
        assertThat(yaml("evt.type = execve")).isEqualTo(NetInterest.NONE);
        // No evt.type: every socket event may match.
        assertThat(yaml("fd.sport = 4444")).isEqualTo(NetInterest.ALL);
    }

    @Test
    void aTestOnThePeerCanLeaveLoopbackOut() throws Exception {
        NetInterest connectsOut = of(Set.of(NetOp.CONNECT), Set.of());
        assertThat(yaml("evt.type = connect and fd.family in (inet, inet6) and fd.dport = 3333 "
                + "and not fd.dip startswith \"127.\" and fd.dip != \"::1\"")).isEqualTo(connectsOut);
        assertThat(yaml("evt.type = connect and not (fd.sip startswith 127. or fd.sip = ::1)")).isEqualTo(connectsOut);
        assertThat(yaml("evt.type = connect and fd.family = unix")).isEqualTo(connectsOut);
        assertThat(yaml("evt.type = accept and fd.cip = 10.1.2.3").describe()).isEqualTo("accept:not-loopback");
        // Only half of loopback left out: ::1 may still match.
        assertThat(yaml("evt.type = connect and not fd.dip startswith 127.").describe()).isEqualTo("connect");
        // An accept's fd.sip is its own (local) address, not the peer: it says nothing about loopback.
        assertThat(yaml("evt.type = accept and fd.sip = 10.1.2.3").describe()).isEqualTo("accept");
        // A peer named 127.0.0.1 may also be a unix socket's relative path: not only loopback.
        assertThat(yaml("evt.type = connect and fd.rip = 127.0.0.1").describe()).isEqualTo("connect");
        assertThat(yaml("evt.type = connect and fd.rip = 127.0.0.1 and fd.family = inet").describe()).isEqualTo("connect");
        assertThat(yaml("evt.type = connect and fd.rip in (::1, 10.0.0.1)").describe()).isEqualTo("connect");
        // Exceptions narrow only where their negation is known.
        assertThat(RuleCompiler.compile(List.of(new RuleSource("t.yaml", """
                - rule: R
                  desc: d
                  condition: evt.type = connect
                  exceptions:
                    - name: local
                      fields: [fd.rip]
                      comps: [startswith]
                      values: [["127."], ["::1"]]
                  output: o
                  priority: WARNING
                """))).netEvents().describe()).isEqualTo("connect:not-loopback");
    }

    @Test
    void drlRulesDeclareTheirEventsOrNeedThemAll() throws Exception {
        String connect = "$e : NetEvent( op == NetOp.CONNECT )";
        assertThat(drl("", connect)).isEqualTo(NetInterest.ALL);
        assertThat(drl("@netEvents(\"connect:not-loopback, listen\")", connect).describe()).isEqualTo("connect:not-loopback,listen");
        assertThat(drl("@netEvents(\"none\")", connect)).isEqualTo(NetInterest.NONE);
        assertThat(drl("", "$e : Event( )")).isEqualTo(NetInterest.ALL);
        assertThat(drl("", "Object( )")).isEqualTo(NetInterest.ALL);
        assertThat(drl("", "$e : ExecEvent( )")).isEqualTo(NetInterest.NONE);
    }

    @Test
    void aBadAnnotationIsAnErrorAtItsPlace() {
        for (String bad : List.of("connect:remote", "bind:loopback", "", "sendto")) {
            assertThatThrownBy(() -> drl("\n  @netEvents(\"" + bad + "\")", "$e : NetEvent( )"))
                    .as(bad).isInstanceOf(RuleCompileException.class)
                    .satisfies(e -> {
                        RuleError err = ((RuleCompileException) e).errors().getFirst();
                        assertThat(err.file()).isEqualTo("rules/t.drl");
                        assertThat(err.line()).isEqualTo(7);
                        assertThat(err.message()).contains("@netEvents");
                    });
        }
    }

    @Test
    void theFilterAgreesWithTheEventsLoopbackDefinition() {
        NetInterest n = NetInterest.parse("connect:not-loopback,accept");
        assertThat(n.wants(Events.connect("x", "10.0.0.1", 80))).isTrue();
        assertThat(n.wants(Events.connect("x", "127.0.0.53", 80))).isFalse();
        assertThat(n.wants(Events.connect("x", "::1", 80))).isFalse();
        assertThat(NetInterest.parse(n.describe())).isEqualTo(n);
        assertThat(n.plus(NetInterest.parse("connect:loopback")).describe()).isEqualTo("connect,accept");
    }
}
