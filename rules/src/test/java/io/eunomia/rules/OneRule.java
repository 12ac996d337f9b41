package io.eunomia.rules;

import java.util.List;

/** Test helper: a rule base of one rule, written in YAML (its condition) or DRL (its annotations and pattern). */
final class OneRule {
    private OneRule() {}

    /** Rule R with this condition (a YAML rule file). */
    static RuleBase yaml(String condition) throws RuleCompileException {
        return RuleCompiler.compile(List.of(new RuleSource("t.yaml", """
                - rule: R
                  desc: d
                  condition: >
                    %s
                  output: o
                  priority: WARNING
                """.formatted(condition))));
    }

    /** DRL rule D with these annotations (after @priority) and this pattern. */
    static RuleBase drl(String annotation, String pattern) throws RuleCompileException {
        return RuleCompiler.compile(List.of(new RuleSource("rules/t.drl", """
                package t;
                import io.eunomia.event.*;
                global io.eunomia.rules.AlertSink alerts;

                rule "D"
                  @priority("WARNING") %s
                when
                  %s
                then
                  alerts.raise(drools);
                end
                """.formatted(annotation, pattern))));
    }
}
