package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.Cli;
import io.eunomia.event.format.EventJson;
import io.eunomia.engine.pipeline.TestEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `eunomia rules test` as a CI job runs it: exit code and the diff. */
class RulesTestCommandTest {
    private static final String TEMPORAL = """
            package t;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;
            rule "Exec then secret"
              @priority("CRITICAL") @output("%proc.name read %fd.name after exec")
            when
              $x : ExecEvent( )
              $f : FileEvent( process.pid == $x.process.pid, path str[startsWith] "/secret", this after[0s, 10s] $x )
            then
              alerts.raise(drools, $x, $f);
            end
            """;

    @TempDir
    Path dir;
    Path events;
    Path rules;
    String out;
    String err;

    @BeforeEach
    void files() throws Exception {
        rules = dir.resolve("rules.drl");
        Files.writeString(rules, TEMPORAL);
        EventJson json = new EventJson();
        long s = 1_000_000_000L;
        List<String> lines = List.of(
                json.write(TestEvents.exec(TestEvents.T0, 7, "/bin/sh")),
                json.write(TestEvents.open(TestEvents.T0 + 3 * s, 7, "sh", "/secret/a")),   // within 10 s: fires
                json.write(TestEvents.exec(TestEvents.T0 + 20 * s, 8, "/bin/sh")),
                json.write(TestEvents.open(TestEvents.T0 + 45 * s, 8, "sh", "/secret/b"))); // 25 s later: no
        events = dir.resolve("events.jsonl");
        Files.writeString(events, String.join("\n", lines) + "\n");
    }

    private int run(String... args) {
        Cli.Run r = Cli.run(args);
        out = r.out();
        err = r.err();
        return r.exit();
    }

    private Path expect(String yaml) throws Exception {
        Path p = dir.resolve("expected.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void passesWhenTheAlertsAreAsExpectedWithEventTimeWindows() throws Exception {
        Path exp = expect("""
                alerts:
                  - rule: Exec then secret
                    count: 1
                    container: web
                    output_contains: /secret/a
                """);
        int code = run("rules", "test", "--no-default-rules", "--rules", rules.toString(), "--events", events.toString(),
                "--expect", exp.toString());
        assertThat(code).as(out + err).isZero();
        assertThat(out).contains("PASS: 4 events, 1 rules, 1 alerts");
    }

    @Test
    void failsWithADiffOnMissingUnexpectedAndCount() throws Exception {
        Path exp = expect("""
                alerts:
                  - rule: Exec then secret
                    output_contains: /secret/b
                  - rule: Read sensitive file
                    count: 2
                """);
        int code = run("rules", "test", "--rules", rules.toString(), "--events", events.toString(), "--expect", exp.toString());
        assertThat(code).as(out + err).isEqualTo(1);
        assertThat(out).contains("- missing: rule 'Exec then secret' with output containing '/secret/b'")
                .contains("- missing: rule 'Read sensitive file' x2")
                .contains("+ unexpected: rule 'Exec then secret' in container web: sh read /secret/a after exec")
                .contains("FAIL");

        Path none = expect("none: true\n");
        assertThat(run("rules", "test", "--no-default-rules", "--rules", rules.toString(), "--events", events.toString(),
                "--expect", none.toString())).isEqualTo(1);
    }

    @Test
    void malformedEventLinesAreReportedWithFileAndLine() throws Exception {
        Files.writeString(events, Files.readString(events) + "{\"type\":\"exec\",\"bogus\":1}\nnot json\n");
        int code = run("rules", "test", "--no-default-rules", "--rules", rules.toString(), "--events", events.toString(),
                "--expect", expect("none: true\n").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err).contains(events + ":5: bad exec event").contains(events + ":6: not JSON");
    }

    @Test
    void aBadExpectationFileSaysWhere() throws Exception {
        int code = run("rules", "test", "--no-default-rules", "--rules", rules.toString(), "--events", events.toString(),
                "--expect", expect("alerts:\n  - rule: x\n    cuont: 3\n").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err).contains("expected.yaml:").contains("unknown key 'cuont' in alerts[0]");
    }

    @Test
    void aRuleThatThrowsIsReportedInOneLineAndMissingFilesToo() throws Exception {
        Path broken = dir.resolve("broken.drl");
        Files.writeString(broken, """
                package t;
                import io.eunomia.event.*;
                rule "Raises nothing to raise about"
                  @priority("INFO") @output("x")
                when
                  ExecEvent( )
                then
                  alerts.raise(drools);
                end
                """);
        int code = run("rules", "test", "--no-default-rules", "--rules", broken.toString(), "--events", events.toString(),
                "--expect", expect("none: true\n").toString());
        assertThat(code).as(out + err).isEqualTo(2);
        assertThat(err).startsWith("eunomia: a rule failed while the events were replayed: ")
                .contains("rule 'Raises nothing to raise about' raised an alert without an event: call alerts.raise(drools, $event)")
                .doesNotContain("\tat ").doesNotContain("internal error");
        assertThat(run("rules", "test", "--rules", dir.resolve("none.yaml").toString(), "--events", events.toString(),
                "--expect", expect("none: true\n").toString())).isEqualTo(2);
        assertThat(err).isEqualTo("eunomia: the rules cannot be loaded:\n  " + dir.resolve("none.yaml") + ": no such rule file or directory\n");
    }
}
