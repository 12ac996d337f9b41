package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One name for "the acting process is in a container" in the pack; the older name still works in users' rules. */
class ContainerMacroNamesTest {
    @Test
    void thePackSaysInAContainerAndDefinesTheOlderNameOnlyAsItsAlias() throws Exception {
        List<String> uses = new ArrayList<>();
        for (RuleSource s : DefaultPack.sources()) {
            String[] lines = s.text().split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].contains("in_container_proc") && !lines[i].startsWith("#")
                        && !lines[i].equals("- macro: in_container_proc")) {
                    uses.add(s.name() + ":" + (i + 1) + ": " + lines[i].strip());
                }
            }
        }
        assertThat(uses).isEmpty();
    }

    @Test
    void aUsersRuleWithTheOlderNameStillCompilesWithThePack() throws Exception {
        List<RuleSource> sources = new ArrayList<>(DefaultPack.sources());
        sources.add(new RuleSource("user.yaml", """
                - rule: Exec in a container (user's)
                  desc: a rule written against the pack's older macro name
                  condition: evt.type = exec and in_container_proc
                  output: "%proc.name"
                  priority: NOTICE
                """));
        RuleBase base = RuleCompiler.check(sources);
        assertThat(base.rule("Exec in a container (user's)")).isPresent();
        assertThat(base.warnings()).isEmpty();
    }
}
