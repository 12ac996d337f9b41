package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Falco's override semantics across files loaded in order, shown on the generated DRL. */
class YamlOverrideTest {
    static final String BASE = """
            - list: shells
              items: [bash, sh]
            - list: more_shells
              items: [shells, zsh]
            - macro: in_container
              condition: container.id != host
            - rule: Shell
              desc: a shell
              condition: evt.type = exec and proc.name in (more_shells)
              output: shell %proc.name
              priority: WARNING
              tags: [shell]
              exceptions:
                - name: allowed
                  fields: [proc.exe, container.name]
                  values:
                    - [/bin/bash, builder]
            - rule: Quiet
              desc: q
              condition: evt.type = exit
              output: exit
              priority: DEBUG
            """;

    static final String LOCAL = """
            - list: shells
              items: [ash]
              override:
                items: append
            - macro: in_container
              condition: and container.name != ci
              override:
                condition: append
            - rule: Shell
              condition: and in_container
              output: shell %proc.name in %container.name
              priority: CRITICAL
              tags: [local]
              exceptions:
                - name: allowed
                  values:
                    - [/bin/sh, tests]
                - name: by_image
                  fields: container.image
                  values: [debug:1, debug:2]
              override:
                condition: append
                output: replace
                priority: replace
                tags: append
                exceptions: append
            - rule: Quiet
              enabled: false
            """;

    @Test
    void appendAndReplaceAcrossFiles() throws Exception {
        Map<String, String> drl = RuleCompiler.toDrl(List.of(new RuleSource("base.yaml", BASE), new RuleSource("local.yaml", LOCAL)));
        // an overridden rule's DRL is shown with the file that changed it last
        String base = drl.get("local.yaml");
        // list-in-list plus an appended item; the macro's appended condition; the rule's appended condition
        assertThat(base).contains("process.comm in (\"bash\", \"sh\", \"ash\", \"zsh\")");
        assertThat(base).contains("process.container.id != \"host\", process.container.name != \"ci\"");
        assertThat(base).contains("@priority(\"CRITICAL\") @tags(\"shell,local\")");
        assertThat(base).contains("@output(\"shell %proc.name in %container.name\")");
        // exceptions: appended values of the named one, and a new single-field exception (in)
        assertThat(base).contains("!(((exe == \"/bin/bash\" && process.container.name == \"builder\") "
                + "|| (exe == \"/bin/sh\" && process.container.name == \"tests\") "
                + "|| process.container.image == \"debug:1\" || process.container.image == \"debug:2\"))");
        // the disabled rule is gone; the first file has no rule left that it was the last to change
        assertThat(base).doesNotContain("Quiet");
        assertThat(drl.get("base.yaml")).startsWith("// base.yaml defines or changes no enabled rule");
    }

    @Test
    void replaceAndLegacyAppend() throws Exception {
        String local = """
                - macro: in_container
                  condition: container.name = x
                  override:
                    condition: replace
                - rule: Shell
                  condition: and in_container
                  append: true
                - list: shells
                  items: [fish]
                  append: true
                - rule: Quiet
                  desc: replaced entirely
                  condition: evt.type = fork
                  output: fork
                  priority: INFO
                """;
        String base = RuleCompiler.toDrl(List.of(new RuleSource("base.yaml", BASE), new RuleSource("local.yaml", local))).get("local.yaml");
        assertThat(base).contains("process.comm in (\"bash\", \"sh\", \"fish\", \"zsh\"), process.container.name == \"x\"");
        assertThat(base).contains("rule \"Quiet\"").contains("$e : ForkEvent()").doesNotContain("ExitEvent");
    }

    @Test
    void aRedefinitionWithoutOverrideReplacesWithAWarningNamingBothPlaces() throws Exception {
        String again = """
                - list: shells
                  items: [fish]
                - macro: in_container
                  condition: container.name = x
                - rule: Quiet
                  desc: replaced entirely
                  condition: evt.type = fork
                  output: fork
                  priority: INFO
                """;
        RuleBase rules = RuleCompiler.compile(List.of(new RuleSource("base.yaml", BASE), new RuleSource("again.yaml", again)));
        assertThat(rules.warnings()).extracting(RuleError::toString).containsExactly(
                "again.yaml:1:3: list 'shells' is defined again: it replaces the list at base.yaml:1 (as in Falco); "
                        + "to change that list on purpose use override: {items: replace}, else give this one another name",
                "again.yaml:3:3: macro 'in_container' is defined again: it replaces the macro at base.yaml:5 (as in Falco); "
                        + "to change that macro on purpose use override: {condition: replace}, else give this one another name",
                "again.yaml:5:3: rule 'Quiet' is defined again: it replaces the rule at base.yaml:18 (as in Falco); "
                        + "to change that rule on purpose use override: {condition: replace, output: replace, ...}, else give this one another name");
        assertThat(rules.rule("Quiet").orElseThrow().priority()).isEqualTo(Priority.INFORMATIONAL);
        assertThat(rules.rule("Shell").orElseThrow().source()).isEqualTo("base.yaml:7");
    }
}
