package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Compile errors: every one at file:line:column, with what was found and what was expected. Uses toDrl (no Drools). */
class YamlRuleErrorsTest {

    private static List<RuleError> errors(RuleSource... sources) {
        RuleCompileException e = catchThrowableOfType(RuleCompileException.class, () -> RuleCompiler.toDrl(List.of(sources)));
        assertThat(e).as("expected compile errors").isNotNull();
        return e.errors();
    }

    private static RuleSource yaml(String text) {
        return new RuleSource("r.yaml", text);
    }

    private static String rule(String condition) {
        return "- rule: R\n  desc: d\n  output: o\n  priority: WARNING\n  condition: " + condition + "\n";
    }

    @Test
    void unknownFieldPointsAtTheField() {
        List<RuleError> e = errors(yaml(rule("evt.type = exec and proc.nmae = bash")));
        assertThat(e).singleElement().satisfies(err -> {
            assertThat(err.toString()).startsWith("r.yaml:5:34: unknown field 'proc.nmae'");
            assertThat(err.message()).contains("did you mean proc.name?");
        });
    }

    @Test
    void aKeywordAsAValueIsAnErrorAtItsColumn() {
        assertThat(errors(yaml(rule("proc.name = and")))).extracting(RuleError::toString).containsExactly(
                "r.yaml:5:26: found the keyword 'and' where a value belongs: quote it (\"and\") if you mean that text, "
                        + "else a value is missing before it");
    }

    @Test
    void unavailableFieldSaysWhy() {
        // reported once per field, naming the rules it disables (here the one rule, R)
        assertThat(errors(yaml(rule("fd.nameraw contains x or fd.nameraw glob y")))).singleElement()
                .satisfies(err -> assertThat(err.toString()).startsWith("r.yaml:5:14: field fd.nameraw cannot be filled here (file events "
                        + "carry the path the kernel resolved").contains("rules that need it: R: pass --skip-unsupported"));
    }

    @Test
    void typeMismatchAndBadOperator() {
        List<RuleError> e = errors(yaml(rule("proc.pid = abc or fd.name > 3 or proc.name = x and evt.failed = maybe")));
        assertThat(e).extracting(RuleError::toString).containsExactly(
                "r.yaml:5:25: proc.pid is an int field: found 'abc', expected a whole number",
                "r.yaml:5:40: operator '>' is not valid for fd.name (string): expected one of !=, =, contains, endswith, glob, icontains, in, intersects, pmatch, startswith",
                "r.yaml:5:78: evt.failed is a bool field: found 'maybe', expected true or false");
    }

    @Test
    void unknownMacroListAndEventType() {
        List<RuleError> e = errors(yaml("- list: shells\n  items: [bash]\n"
                + rule("evt.type = opn or shells or spawned_proces")));
        assertThat(e).extracting(RuleError::toString).containsExactly(
                "r.yaml:7:25: unknown event type 'opn': expected one of exec, execve, execveat, exit, procexit, fork, vfork, clone, clone3, capability, violation, open, openat, openat2, creat, open_by_handle_at, unlink, unlinkat, rmdir, rename, renameat, renameat2, link, linkat, symlink, symlinkat, truncate, ftruncate, chmod, fchmodat, fchmodat2, fchmod, chown, lchown, fchownat, fchown, mkdir, mkdirat, utimensat, futimesat, utimes, utime, connect, bind, accept, accept4, listen, sendto, sendmsg, sendmmsg, or a system call name",
                "r.yaml:7:32: unknown macro 'shells': shells is a list, use it as field in (shells)",
                "r.yaml:7:42: unknown macro 'spawned_proces': expected a macro defined earlier, or a comparison such as spawned_proces = value");
    }

    @Test
    void syntaxErrorInBlockScalarPointsIntoTheRightLine() {
        String text = """
                - rule: R
                  desc: d
                  output: o
                  priority: WARNING
                  condition: >
                    evt.type = open
                    and (fd.name = /etc/shadow
                    or fd.name startswith )
                """;
        assertThat(errors(yaml(text))).extracting(RuleError::toString)
                .containsExactly("r.yaml:8:27: found ')' after 'startswith', expected a value");
    }

    @Test
    void literalBlockAndQuotedScalars() {
        String text = "- rule: R\n  desc: d\n  output: o\n  priority: WARNING\n  condition: |\n    evt.type = exec\n      and proc.nme = x\n"
                + "- rule: Q\n  desc: d\n  output: o\n  priority: WARNING\n  condition: \"evt.type = exec and user.uid = root\"\n";
        assertThat(errors(yaml(text))).extracting(RuleError::toString).containsExactly(
                "r.yaml:7:11: unknown field 'proc.nme': did you mean proc.name?",
                "r.yaml:12:46: user.uid is an int field: found 'root', expected a whole number");
    }

    @Test
    void neverMatchingRuleOutputFieldsPriorityAndKeys() {
        String text = """
                - rule: R
                  desc: d
                  condition: proc.tty = pts0 and fd.sport = 22
                  output: "x %proc.nam y"
                  priority: CRITICL
                  tagz: [a]
                """;
        assertThat(errors(yaml(text))).extracting(RuleError::toString).containsExactly(
                "r.yaml:6:3: unknown key 'tagz' in a rule, expected one of append, condition, desc, enabled, exceptions, group_by, output, override, priority, rule, skip-if-unknown-filter, source, tags, warn_evttypes",
                "r.yaml:5:13: found priority 'CRITICL', expected one of EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG");
        String fixed = text.replace("CRITICL", "CRITICAL").replace("  tagz: [a]\n", "");
        assertThat(errors(yaml(fixed))).extracting(RuleError::toString).containsExactly(
                "r.yaml:4:14: unknown field '%proc.nam' in the output: did you mean proc.name?",
                "r.yaml:3:14: rule 'R' can never match: no event type has every field its condition requires "
                        + "(e.g. proc.tty is on exec events only, fd.sport on socket events only; 'eunomia rules fields' lists each field's event types)"
                        + "; --skip-unsupported leaves such rules out of a file written for Falco");
    }

    @Test
    void allErrorsOfAllFilesAreReported() {
        List<RuleError> e = errors(new RuleSource("a.yaml", rule("proc.x = 1")), new RuleSource("b.yaml", rule("fd.y = 2")
                .replace("- rule: R", "- rule: S")), new RuleSource("c.txt", ""));
        assertThat(e).extracting(RuleError::file).containsExactly("c.txt", "a.yaml", "b.yaml");
    }

    @Test
    void invalidYamlAndOverrideOfNothing() {
        assertThat(errors(yaml("- rule: [unclosed\n"))).singleElement()
                .satisfies(err -> assertThat(err.toString()).startsWith("r.yaml:1:18: invalid YAML"));
        assertThat(errors(yaml("- rule: Nope\n  condition: and x\n  override:\n    condition: append\n")))
                .extracting(RuleError::toString)
                .containsExactly("r.yaml:1:3: cannot override rule 'Nope': no earlier rule of that name (check the load order of the files)");
        assertThat(errors(yaml(rule("evt.type = exec") + "- rule: R\n  priority: INFO\n  override:\n    priority: append\n")))
                .extracting(RuleError::toString)
                .containsExactly("r.yaml:9:5: a rule's priority cannot be overridden with append: expected one of condition, desc, exceptions, output, tags");
    }

    @Test
    void exceptionTupleSizeAndFieldsAreChecked() {
        String text = rule("evt.type = exec") + """
                  exceptions:
                    - name: e1
                      fields: [proc.name, proc.exe]
                      values:
                        - [bash]
                    - name: e2
                      fields: [proc.nope]
                      values: [[x]]
                """;
        assertThat(errors(yaml(text))).extracting(RuleError::toString).containsExactly(
                "r.yaml:10:11: exception 'e1': found 1 values, expected a tuple of 2 (one per field: proc.name, proc.exe)",
                "r.yaml:12:16: unknown field 'proc.nope': did you mean proc.name?");
    }

    @Test
    void anEventTypeNoSensorReportsIsAWarningAtItsColumn() throws Exception {
        // dup2 is a system call (valid for Falco) but no sensor here reports it: the rule would load
        // and never fire on it. ptrace and connect are reported: no warning for them.
        RuleBase base = RuleCompiler.check(List.of(yaml(rule("evt.type in (connect, dup2) or evt.type = ptrace"))));
        assertThat(base.rules()).hasSize(1);
        assertThat(base.warnings()).extracting(RuleError::toString).singleElement()
                .satisfies(w -> assertThat(w).startsWith("r.yaml:5:36: evt.type 'dup2' is a system call no sensor reports")
                        .contains("never fires", "ptrace", "setuid").doesNotContain("'connect'"));
        // a macro used by two rules: one warning, at the macro
        RuleBase twice = RuleCompiler.check(List.of(yaml("- macro: m\n  condition: evt.type = fsync\n"
                + rule("m").replace("R\n", "A\n") + rule("m or evt.type = exec").replace("R\n", "B\n"))));
        assertThat(twice.warnings()).extracting(RuleError::toString).singleElement()
                .satisfies(w -> assertThat(w).startsWith("r.yaml:2:25: evt.type 'fsync'"));
    }
}
