package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.testkit.FalcoRuleFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Falco's own rule files (falcosecurity/rules, unmodified; {@link FalcoRuleFiles} finds them: a
 * shared/falco above the module, e.g. beside the checkout, or -Deunomia.falco.rules) load with
 * Falco's loader semantics: what cannot be filled here is reported once per field with the rules
 * it disables, and those rules are left out only when asked to.
 */
class FalcoRuleFilesTest {
    private static final Pattern RULE = Pattern.compile("(?m)^- rule: (.+)$");

    /** Named as beside a checkout whichever place FalcoRuleFiles found it in, so the messages' locations read the same. */
    static RuleSource source(String file) {
        try {
            return new RuleSource("../shared/falco/" + file, Files.readString(FalcoRuleFiles.file(file)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Set<String> rulesIn(RuleSource s) {
        Set<String> names = new TreeSet<>();
        Matcher m = RULE.matcher(s.text());
        while (m.find()) {
            names.add(m.group(1).strip());
        }
        return names;
    }

    @Test
    void stableLoads23Of25WithSkipUnsupportedAndSaysWhichAndWhy() throws Exception {
        RuleSource stable = source("falco_rules.yaml");
        assertThat(rulesIn(stable)).hasSize(25);
        RuleBase base = RuleCompiler.check(List.of(stable), true);
        Set<String> loaded = new TreeSet<>(base.rules().stream().map(RuleInfo::name).toList());
        Set<String> missing = new TreeSet<>(rulesIn(stable));
        missing.removeAll(loaded);
        assertThat(loaded).hasSize(23);
        assertThat(missing).containsExactlyInAnyOrder("Directory traversal monitored file read",
                "Redirect STDOUT/STDIN to Network Connection in Container");
        List<String> warnings = base.warnings().stream().map(RuleError::toString).toList();
        // once per field, naming the rules it disables
        assertThat(warnings).filteredOn(w -> w.contains("field fd.nameraw cannot be filled here")).singleElement()
                .satisfies(w -> assertThat(w).startsWith("../shared/falco/falco_rules.yaml:313:15:")
                        .endsWith("rules skipped: Directory traversal monitored file read"));
        assertThat(warnings).filteredOn(w -> w.contains("'Redirect STDOUT/STDIN to Network Connection in Container' can never match"))
                .hasSize(1);
        // system calls no sensor reports: warned about at each name (the conditions match the other calls)
        assertThat(warnings).filteredOn(w -> w.contains("is a system call no sensor reports"))
                .extracting(w -> w.substring("../shared/falco/falco_rules.yaml:".length(), w.indexOf(" is a system call")))
                .containsExactlyInAnyOrder("98:28: evt.type 'dup'", "98:33: evt.type 'dup2'", "98:39: evt.type 'dup3'");
        // output-only fields: warned about once each, the rule still loads and shows <NA>
        assertThat(warnings).filteredOn(w -> w.contains("field user.loginuid in the output of")).hasSize(1);
    }

    @Test
    void stableWithoutSkipFailsOncePerFieldNamingTheRules() {
        RuleSource stable = source("falco_rules.yaml");
        assertThatThrownBy(() -> RuleCompiler.check(List.of(stable)))
                .isInstanceOfSatisfying(RuleCompileException.class, e -> assertThat(e.errors()).extracting(RuleError::toString)
                        .satisfiesExactlyInAnyOrder(
                                s -> assertThat(s).startsWith("../shared/falco/falco_rules.yaml:313:15: field fd.nameraw cannot be filled here")
                                        .contains("rules that need it: Directory traversal monitored file read: pass --skip-unsupported"),
                                s -> assertThat(s).startsWith("../shared/falco/falco_rules.yaml:1038:5: rule 'Redirect STDOUT/STDIN")
                                        .contains("can never match")));
    }

    @Test
    void incubatingAndSandboxLoadWhatCanBeFilledAndNameTheRest() throws Exception {
        RuleBase incubating = RuleCompiler.check(List.of(source("falco-incubating_rules.yaml")), true);
        assertThat(rulesIn(source("falco-incubating_rules.yaml"))).hasSize(31);
        assertThat(incubating.rules()).hasSize(25);
        assertThat(incubating.warnings()).extracting(RuleError::toString)
                .anySatisfy(w -> assertThat(w).contains("field proc.env cannot be filled here").endsWith(
                        "rules skipped: Program run with disallowed http proxy env, Potential Local Privilege Escalation via Environment Variables Misuse"))
                .anySatisfy(w -> assertThat(w).contains("field evt.arg.uid by name cannot be filled here").endsWith("rules skipped: Non sudo setuid"));
        // 37 rules, 12 of them enabled: false in the file itself
        RuleBase sandbox = RuleCompiler.check(List.of(source("falco-sandbox_rules.yaml")), true);
        assertThat(rulesIn(source("falco-sandbox_rules.yaml"))).hasSize(37);
        assertThat(sandbox.rules()).hasSize(21);
        assertThat(sandbox.warnings()).extracting(RuleError::toString)
                .filteredOn(w -> w.contains("container.mount.dest[...] cannot be filled here")).singleElement()
                .satisfies(w -> assertThat(w).endsWith("rules skipped: Launch Sensitive Mount Container"));
    }
}
