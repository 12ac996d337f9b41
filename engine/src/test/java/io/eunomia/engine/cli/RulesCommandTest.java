package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.Cli;
import io.eunomia.engine.Cli.Run;
import io.eunomia.testkit.RuleTexts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eunomia rules check|compile}, run in-process through Main. */
class RulesCommandTest {
    static final String GOOD = """
            - macro: container
              condition: container.id != host
            - rule: Shell in container
              desc: a shell in a container
              condition: evt.type = exec and container and proc.name in (bash, sh)
              output: shell %proc.name in %container.name
              priority: WARNING
            """;

    static Run run(String... args) {
        return Cli.run(args);
    }

    /** What lets each rule's events into the session, and a rule on the abstract Event (it reads every type, with a warning). */
    @Test
    void checkShowsAdmissionsAsLinesAndJson(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("good.yaml"), GOOD);
        Path drl = Files.writeString(dir.resolve("any.drl"), RuleTexts.ANYTHING_BY_NC);
        Run text = run("rules", "check", "--admissions", yaml.toString(), drl.toString());
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.err()).contains(drl + ":4:6: warning: rule 'Anything by nc' matches Event( ... ), not one event type");
        String out = text.out();
        assertThat(out).contains("Shell in container (" + yaml + ":3): reads exec\n  admits ExecEvent(")
                .contains("Anything by nc (" + drl + ":4): reads exec, exit, fork, file, net, cap, syscall, violation\n"
                        + "  admits Event(process.comm == \"nc\")\n");
        assertThat(out).doesNotContain("Read sensitive file (").as("the default pack's rules are left out");

        Run json = run("rules", "check", "--format", "json", yaml.toString(), drl.toString());
        assertThat(json.exit()).isZero();
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertThat(root.path("fromDefaultPack").asInt()).isGreaterThan(20);
        assertThat(root.path("rules").asInt()).isEqualTo(root.path("fromDefaultPack").asInt() + 2);
        assertThat(root.path("warnings").findValuesAsText("message")).anyMatch(m -> m.startsWith("rule 'Anything by nc' matches Event"));
        assertThat(root.path("admissions")).hasSize(2);
        var any = root.path("admissions").findParents("rule").stream()
                .filter(n -> n.path("rule").asText().equals("Anything by nc")).findFirst().orElseThrow();
        assertThat(any.path("eventTypes")).hasSize(8);
        assertThat(any.path("admits").get(0).asText()).isEqualTo("Event(process.comm == \"nc\")");
    }

    @Test
    void checkGoodAndBrokenFiles(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), GOOD);
        Run ok = run("rules", "check", "--no-default-rules", good.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).isEqualTo("1 rules OK\n");
        assertThat(ok.err()).isEmpty();
        Path reads = Files.writeString(dir.resolve("reads.yaml"), GOOD + """
                - rule: Key read
                  desc: a key read
                  condition: evt.type = open and (fd.name startswith /srv/keys/ or fd.name = /etc/shadow)
                  output: read %fd.name
                  priority: WARNING
                """);
        assertThat(run("rules", "check", "--no-default-rules", reads.toString()).out())
                .isEqualTo("2 rules OK\nfile reads the rules need: /etc/shadow /srv/keys/\n");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), GOOD.replace("proc.name in", "proc.nam in")
                .replace("WARNING", "LOUD"));
        Run broken = run("rules", "check", good.toString(), bad.toString());
        assertThat(broken.exit()).isEqualTo(RulesCheckCommand.EXIT_INVALID);
        assertThat(broken.err().lines().toList()).containsExactly(
                bad + ":7:13: found priority 'LOUD', expected one of EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG");
        Path bad2 = Files.writeString(dir.resolve("bad2.yaml"), GOOD.replace("and proc.name in", "and proc.nam in"));
        assertThat(run("rules", "check", bad2.toString()).err().lines().toList()).containsExactly(
                bad2 + ":5:48: unknown field 'proc.nam': did you mean proc.name?");
        Run missing = run("rules", "check", dir.resolve("missing.yaml").toString());
        assertThat(missing.exit()).isEqualTo(RulesCheckCommand.EXIT_INVALID);
        assertThat(missing.err()).isEqualTo(dir.resolve("missing.yaml") + ": no such rule file or directory\n");
    }

    /** A malformed @missingReads of a DRL rule: where it is and what was expected, not a stack trace or a silent "every miss". */
    @Test
    void aMalformedMissingReadsSaysWhereAndWhatWasExpected(@TempDir Path dir) throws Exception {
        String rule = """
                package mine;
                import io.eunomia.event.*;
                global io.eunomia.rules.AlertSink alerts;
                rule "Probe for a key"
                  @fileReads("none")
                  @missingReads("%s")
                when
                  $e : FileEvent( result == -2, path str[startsWith] "/srv/keys/" )
                then
                  alerts.raise(drools, $e);
                end
                """;
        Path empty = Files.writeString(dir.resolve("empty.drl"), rule.formatted("/srv/keys/,,/etc/shadow"));
        Run emptyPart = run("rules", "check", "--no-default-rules", empty.toString());
        assertThat(emptyPart.exit()).as(emptyPart.err()).isEqualTo(RulesCheckCommand.EXIT_INVALID);
        assertThat(emptyPart.err().lines().toList()).containsExactly(empty + ":6:3: rule 'Probe for a key': "
                + "@missingReads(\"/srv/keys/,,/etc/shadow\"): expected \"none\", \"all\" or absolute paths separated by ',' "
                + "(e.g. \"/etc/shadow,/root/.ssh/\")");
        Path relative = Files.writeString(dir.resolve("relative.drl"), rule.formatted("srv/keys/"));
        Run notAbsolute = run("rules", "check", "--no-default-rules", relative.toString());
        assertThat(notAbsolute.exit()).as(notAbsolute.err()).isEqualTo(RulesCheckCommand.EXIT_INVALID);
        assertThat(notAbsolute.err().lines().toList()).singleElement().asString()
                .startsWith(relative + ":6:3: rule 'Probe for a key': @missingReads: ").contains("srv/keys/");
    }

    /** What monitor runs: the default pack first, so its macros, lists and rules can be used and overridden. */
    @Test
    void checkAndCompileSeeTheDefaultPackAsMonitorDoes(@TempDir Path dir) throws Exception {
        Path mine = Files.writeString(dir.resolve("mine.yaml"), """
                - rule: Terminal shell in container
                  condition: and proc.name != zsh
                  override:
                    condition: append
                - rule: Shell from sshd
                  desc: a shell (the pack's macro) started by sshd
                  condition: shell_exec and proc.pname = sshd
                  output: shell %proc.name from sshd
                  priority: NOTICE
                """);
        Run ok = run("rules", "check", mine.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.err()).isEmpty();
        assertThat(ok.out()).startsWith("55 rules OK (54 from the default pack)\nfile reads the rules need: /etc/gshadow ");
        Run alone = run("rules", "check", "--no-default-rules", mine.toString());
        assertThat(alone.exit()).isEqualTo(RulesCheckCommand.EXIT_INVALID);
        assertThat(alone.err().lines().toList()).containsExactly(
                mine + ":1:3: cannot override rule 'Terminal shell in container': no earlier rule of that name (check the load order of the files)",
                mine + ":7:14: unknown macro 'shell_exec': expected a macro defined earlier, or a comparison such as shell_exec = value");

        // compile shows the user's files only, the overridden pack rule with them
        Run drl = run("rules", "compile", mine.toString());
        assertThat(drl.exit()).as(drl.err()).isZero();
        assertThat(drl.out()).startsWith("package io.eunomia.rules.yaml;").doesNotContain("// ----")
                .contains("rule \"Terminal shell in container\"").contains("process.comm != \"zsh\"")
                .contains("rule \"Shell from sshd\"").contains("process.pcomm == \"sshd\"")
                .doesNotContain("rule \"Read sensitive file\"");
    }

    @Test
    void warningsSayWhereARuleIsBroaderThanItLooks(@TempDir Path dir) throws Exception {
        Path broad = Files.writeString(dir.resolve("broad.yaml"), """
                - rule: Curl or wget
                  desc: no event type
                  condition: proc.name = curl or proc.name = wget
                  output: "%proc.name"
                  priority: INFO
                - rule: Cat opens
                  desc: every read of cat
                  condition: evt.type = open and proc.name = cat
                  output: "%fd.name"
                  priority: INFO
                - rule: Read sensitive file
                  desc: a name clash with the pack
                  condition: evt.type = open and fd.name = /etc/shadow
                  output: "%fd.name"
                  priority: INFO
                """);
        Run r = run("rules", "check", broad.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err().lines().toList()).containsExactly(
                broad + ":11:3: warning: rule 'Read sensitive file' is defined again: it replaces the rule at "
                        + "default:30-files.yaml:3 (as in Falco); to change that rule on purpose use override: "
                        + "{condition: replace, output: replace, ...}, else give this one another name",
                broad + ":3:14: warning: rule 'Curl or wget' names no event type: it is evaluated on every event (exec, exit, "
                        + "fork, file, net, cap, syscall, violation) and alerts on each that matches, and it needs every file read; that turns "
                        + "the kernel's read filter off, for all rules, while it is loaded: add evt.type = ... (e.g. evt.type = exec) "
                        + "to say which events it is about",
                broad + ":8:14: warning: rule 'Cat opens' needs every file read (its condition bounds neither fd.name nor "
                        + "fd.directory of opens); that turns the kernel's read filter off, for all rules, while it is loaded: bound "
                        + "the paths (e.g. fd.name startswith /srv/keys/) or leave reads out (e.g. evt.is_open_write = true)");
        assertThat(r.out()).contains("file reads the rules need: all (needed by: Curl or wget, Cat opens)");

        Path drl = Files.writeString(dir.resolve("reads.drl"), """
                package mine;
                import io.eunomia.event.*;

                rule "Any open by cat"
                  @priority("INFO") @output("%fd.name")
                when
                  $e : FileEvent( process.comm == "cat" )
                then
                  alerts.raise(drools, $e);
                end
                """);
        Run d = run("rules", "check", "--no-default-rules", drl.toString());
        assertThat(d.exit()).as(d.err()).isZero();
        assertThat(d.err().lines().toList()).containsExactly(drl + ":4:6: warning: rule 'Any open by cat' reads FileEvent "
                + "without @fileReads, so it needs every file read: that turns the kernel's read filter off, for all rules, while "
                + "it is loaded; declare what it reads, e.g. @fileReads(\"/etc/shadow,/root/.ssh/\") or @fileReads(\"none\") "
                + "for a rule about writes or failed opens", drl + ":4:6: warning: rule 'Any open by cat' reads FileEvent without "
                + "@missingReads, so it needs every open of a missing file (ENOENT): that turns the kernel's miss filter off, for "
                + "all rules, while it is loaded; declare the missing files it can match, e.g. @missingReads(\"/etc/shadow\") or "
                + "@missingReads(\"none\") for a rule no failed open of a missing file can match (writes, result != -2)");
    }

    @Test
    void directoriesAreReadWithTheirSubdirectoriesInPathOrder(@TempDir Path dir) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.writeString(rules.resolve("a.yaml"), GOOD);
        Files.createDirectories(rules.resolve("b"));
        Files.writeString(rules.resolve("b/broken.yaml"), "- rule: Broken\n  desc: d\n  condition: proc.name = and\n"
                + "  output: o\n  priority: INFO\n");
        Files.createDirectories(rules.resolve(".git"));
        Files.writeString(rules.resolve(".git/ignored.yaml"), "not rules");
        Run r = run("rules", "check", "--no-default-rules", rules.toString());
        assertThat(r.exit()).isEqualTo(RulesCheckCommand.EXIT_INVALID);
        assertThat(r.err()).isEqualTo(rules.resolve("b/broken.yaml") + ":3:26: found the keyword 'and' where a value belongs: "
                + "quote it (\"and\") if you mean that text, else a value is missing before it\n");
        Files.writeString(rules.resolve("b/broken.yaml"), "- macro: container\n  condition: container.id = host\n");
        Run again = run("rules", "check", "--no-default-rules", rules.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        // b/broken.yaml loads after a.yaml: its macro replaces a.yaml's, and says so
        assertThat(again.err()).startsWith(rules.resolve("b/broken.yaml") + ":1:3: warning: macro 'container' is defined again: "
                + "it replaces the macro at " + rules.resolve("a.yaml") + ":1");
        assertThat(io.eunomia.engine.pipeline.RuleLoader.ruleFiles(rules)).containsExactly(rules.resolve("a.yaml"),
                rules.resolve("b/broken.yaml"));
    }

    @Test
    void fieldsListTheDrlOfEachField() {
        Run r = run("rules", "fields");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList()).anySatisfy(l -> assertThat(l).startsWith("proc.name").contains(" process.comm "))
                .anySatisfy(l -> assertThat(l).startsWith("fd.rip").contains(" remoteAddr "))
                .anySatisfy(l -> assertThat(l).startsWith("fd.name").contains("file: path; net: EventFields.fdName(this)"))
                .anySatisfy(l -> assertThat(l).startsWith("syscall.arg.prev_euid").contains("setresuid"));
        Run json = run("rules", "fields", "--format", "json");
        assertThat(json.out()).contains("\"name\" : \"fd.rip\"").contains("\"net\" : \"remoteAddr\"");
    }

    @Test
    void compilePrintsTheDrl(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), GOOD);
        Run r = run("rules", "compile", good.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("rule \"Shell in container\"")
                .contains("$e : ExecEvent( process.container.id != \"host\", process.comm in (\"bash\", \"sh\") )")
                .doesNotContain("global ")
                .contains("alerts.raise(drools, $e);");
    }
}
