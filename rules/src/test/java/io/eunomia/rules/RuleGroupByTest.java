package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** group_by (YAML) and @groupBy (DRL): the fields that group a rule's alerts reach its RuleInfo, checked against the catalog. */
class RuleGroupByTest {
    private static final String RULE = """
            - rule: Shadow
              desc: d
              condition: evt.type = open and fd.name = /etc/shadow
              output: "read by %proc.name pid=%proc.pid"
              priority: WARNING
            """;

    private static RuleInfo only(RuleBase base) {
        assertThat(base.rules()).hasSize(1);
        return base.rules().getFirst();
    }

    @Test
    void withoutGroupByTheDefaultApplies() throws Exception {
        assertThat(only(RuleCompiler.check(List.of(new RuleSource("r.yaml", RULE)))).groupBy()).isEmpty();
    }

    @Test
    void groupByReachesTheRuleAndAnOverrideReplacesIt() throws Exception {
        RuleBase base = RuleCompiler.check(List.of(new RuleSource("r.yaml", RULE + "  group_by: [proc.name, fd.name]\n")));
        assertThat(only(base).groupBy()).contains(List.of("proc.name", "fd.name"));

        RuleBase replaced = RuleCompiler.check(List.of(new RuleSource("r.yaml", RULE), new RuleSource("s.yaml", """
                - rule: Shadow
                  group_by: [user.uid]
                  override: {group_by: replace}
                """)));
        assertThat(only(replaced).groupBy()).contains(List.of("user.uid"));

        RuleBase none = RuleCompiler.check(List.of(new RuleSource("r.yaml", RULE + "  group_by: []\n")));
        assertThat(only(none).groupBy()).as("by rule and container alone").contains(List.of());
    }

    @Test
    void anUnknownFieldIsAnErrorAtTheField() {
        RuleCompileException e = catchThrowableOfType(RuleCompileException.class, () -> RuleCompiler.toDrl(List.of(
                new RuleSource("r.yaml", RULE + "  group_by: [proc.name, fd.nmae]\n"))));
        assertThat(e).isNotNull();
        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.toString()).startsWith("r.yaml:6:25: unknown field 'fd.nmae' in group_by, expected a field such as proc.name or fd.name");
            assertThat(err.message()).contains("did you mean fd.name?");
        });
    }

    @Test
    void aDrlRuleSaysItWithAnAnnotationCheckedAtItsLine() throws Exception {
        String drl = """
                package test;
                import io.eunomia.event.*;
                global io.eunomia.rules.AlertSink alerts;
                rule "Opened"
                  @output("%%proc.name opened %%fd.name") @groupBy("%s")
                when
                  $e : FileEvent( op == FileOp.OPEN )
                then
                  alerts.raise(drools, $e);
                end
                """;
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("g.drl", drl.formatted("proc.name, fd.name"))), java.util.Map.of());
        assertThat(only(base).groupBy()).isEqualTo(Optional.of(List.of("proc.name", "fd.name")));

        RuleCompileException e = catchThrowableOfType(RuleCompileException.class, () -> DrlCompiler.compile(
                List.of(new RuleSource("g.drl", drl.formatted("proc.nam"))), java.util.Map.of()));
        assertThat(e).isNotNull();
        assertThat(e.errors()).singleElement().satisfies(err -> assertThat(err.toString())
                .startsWith("g.drl:5:").contains("@groupBy names unknown field 'proc.nam'"));
    }
}
