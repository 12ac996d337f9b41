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
        // ssh to a reverse-shell port and a container reaching the Kubernetes API may go to loopback:
        // connects to those ports only; outbound connects to any port.
        assertThat(n.describe()).isEqualTo("connect:not-loopback,connect:loopback[53 80 88 443 4444 6443 8080 8443]");
        assertThat(n.other()).isEqualTo(EnumSet.of(NetOp.CONNECT));
        assertThat(n.loopback()).isEqualTo(EnumSet.of(NetOp.CONNECT));
    }

    @Test
    void theOperationBoundsTheEvents() throws Exception {
        assertThat(yaml("evt.type = connect and proc.name = nc")).isEqualTo(of(Set.of(NetOp.CONNECT), Set.of(NetOp.CONNECT)));
        assertThat(yaml("evt.type in (accept4, listen) and fd.sport = 22").describe()).isEqualTo("accept[22],listen[22]");
        assertThat(yaml("evt.type = sendto").describe()).isEqualTo("connect");
        assertThat(yaml("evt.type = bind and not fd.rip = 10.0.0.1").describe()).isEqualTo("bind");
        assertThat(yaml("evt.type != connect and fd.sport = 80").describe()).isEqualTo("accept[80],bind[80],listen[80]");
        // A rule on another event type matches no socket event.
        assertThat(yaml("evt.type = execve")).isEqualTo(NetInterest.NONE);
        // No evt.type: every socket event may match.
        assertThat(yaml("fd.l4proto = tcp")).isEqualTo(NetInterest.ALL);
    }

    @Test
    void aTestOnThePeerCanLeaveLoopbackOut() throws Exception {
        NetInterest connectsOut = of(Set.of(NetOp.CONNECT), Set.of());
        assertThat(yaml("evt.type = connect and fd.family in (inet, inet6) and fd.dport = 3333 "
                + "and not fd.dip startswith \"127.\" and fd.dip != \"::1\"").describe()).isEqualTo("connect:not-loopback[3333]");
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
    void portComparisonsBoundTheServerPorts() throws Exception {
        // Exact ports and lists; every field that holds the server port (a connect's remote, an accept's local one).
        assertThat(yaml("evt.type = connect and fd.dport = 4444").describe()).isEqualTo("connect[4444]");
        assertThat(yaml("evt.type = connect and fd.sport in (22, 2222, 2223, 2224)").describe()).isEqualTo("connect[22 2222-2224]");
        assertThat(yaml("evt.type = connect and fd.rport in (8080, 80)").describe()).isEqualTo("connect[80 8080]");
        assertThat(yaml("evt.type = accept and fd.lport = 22").describe()).isEqualTo("accept[22]");
        assertThat(yaml("evt.type = bind and fd.sport = 4444").describe()).isEqualTo("bind[4444]");
        // Ranges.
        assertThat(yaml("evt.type = connect and fd.dport >= 8000 and fd.dport <= 8100").describe()).isEqualTo("connect[8000-8100]");
        assertThat(yaml("evt.type = connect and fd.dport < 1024").describe()).isEqualTo("connect[0-1023]");
        assertThat(yaml("evt.type = connect and fd.dport > 65535")).isEqualTo(NetInterest.NONE);
        // Negations and !=: every port but those named.
        assertThat(yaml("evt.type = connect and not fd.dport in (80, 443)").describe()).isEqualTo("connect[0-79 81-442 444-65535]");
        assertThat(yaml("evt.type = connect and fd.dport != 0").describe()).isEqualTo("connect[1-65535]");
        // Or: the union; a branch without a port test opens every port.
        assertThat(yaml("evt.type = connect and (fd.dport = 22 or fd.dport = 6443)").describe()).isEqualTo("connect[22 6443]");
        assertThat(yaml("evt.type = connect and (fd.dport = 22 or proc.name = nc)").describe()).isEqualTo("connect");
        // A port that is not the server's (a connect's local port, an accept's peer) says nothing; nor does fd.name.
        assertThat(yaml("evt.type = connect and fd.lport = 22").describe()).isEqualTo("connect");
        assertThat(yaml("evt.type = accept and fd.cport = 22").describe()).isEqualTo("accept");
        assertThat(yaml("evt.type = accept and fd.rport = 22").describe()).isEqualTo("accept");
        assertThat(yaml("evt.type = connect and fd.name endswith \":22\"").describe()).isEqualTo("connect");
        assertThat(yaml("evt.type = connect and fd.dport exists").describe()).isEqualTo("connect");
        // Per operation and peer: each kind gets the ports its own branch names.
        assertThat(yaml("(evt.type = connect and fd.dport = 53) or (evt.type = accept and fd.sport = 22)").describe())
                .isEqualTo("connect[53],accept[22]");
        assertThat(yaml("evt.type = connect and ((fd.rip startswith \"127.\" and fd.dport = 6443) or (not fd.rip startswith \"127.\" "
                + "and fd.rip != \"::1\" and fd.dport = 443))").describe())
                .isEqualTo("connect:not-loopback[443 6443],connect:loopback[6443]");
        // No evt.type: every operation, with its own server port.
        assertThat(yaml("fd.sport = 4444").describe()).isEqualTo("connect[4444],accept[4444],bind[4444],listen[4444]");
    }

    @Test
    void portsRoundTripAndCombine() {
        NetInterest n = NetInterest.parse("connect:loopback[6443 22 8000-8100],connect:not-loopback,accept[22]");
        assertThat(n.describe()).isEqualTo("connect:not-loopback,connect:loopback[22 6443 8000-8100],accept[22]");
        assertThat(NetInterest.parse(n.describe())).isEqualTo(n);
        assertThat(n.plus(NetInterest.parse("connect:loopback[23]")).describe())
                .isEqualTo("connect:not-loopback,connect:loopback[22-23 6443 8000-8100],accept[22]");
        assertThat(n.plus(NetInterest.parse("accept")).describe()).isEqualTo("connect:not-loopback,connect:loopback[22 6443 8000-8100],accept");
        assertThat(NetInterest.parse("connect[22],connect").describe()).isEqualTo("connect");
        assertThat(NetInterest.parse("connect[0-65535]")).isEqualTo(NetInterest.parse("connect"));
        // The filter's judgement: inet and inet6 by their server port, other families by operation and peer only.
        assertThat(n.wants(Events.connect("x", "127.0.0.1", 6443))).isTrue();
        assertThat(n.wants(Events.connect("x", "127.0.0.1", 8050))).isTrue();
        assertThat(n.wants(Events.connect("x", "127.0.0.1", 45678))).isFalse();
        assertThat(n.wants(Events.connect("x", "10.0.0.1", 45678))).isTrue();
        for (String bad : List.of("connect[]", "connect[22", "connect[70000]", "connect[x]", "connect[9-3]")) {
            assertThatThrownBy(() -> NetInterest.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("@netEvents");
        }
    }

    @Test
    void drlRulesDeclareTheirEventsOrNeedThemAll() throws Exception {
        String connect = "$e : NetEvent( op == NetOp.CONNECT )";
        assertThat(drl("", connect)).isEqualTo(NetInterest.ALL);
        assertThat(drl("@netEvents(\"connect:not-loopback, listen\")", connect).describe()).isEqualTo("connect:not-loopback,listen");
        assertThat(drl("@netEvents(\"connect:loopback[22 6443], listen[80]\")", connect).describe()).isEqualTo("connect:loopback[22 6443],listen[80]");
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
