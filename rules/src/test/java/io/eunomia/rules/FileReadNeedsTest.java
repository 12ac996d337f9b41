package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.event.EventType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the compiler infers (YAML) or reads (DRL @fileReads) about the reads rules need. */
class FileReadNeedsTest {
    private static FileReadNeeds yaml(String condition) throws RuleCompileException {
        return OneRule.yaml(condition).fileReads();
    }

    private static List<String> bounded(String condition) throws RuleCompileException {
        FileReadNeeds n = yaml(condition);
        assertThat(n.all()).as("%s: %s", condition, n.describe()).isFalse();
        return n.prefixes();
    }

    private static FileReadNeeds drl(String annotation, String pattern) throws RuleCompileException {
        return OneRule.drl(annotation, pattern).fileReads();
    }

    @Test
    void theDefaultPackNeedsReadsOfAFewCredentialFilesOnly() throws Exception {
        FileReadNeeds n = RuleCompiler.compile(DefaultPack.sources()).fileReads();
        System.out.println("default pack file reads: " + n.describe());
        assertThat(n.all()).as(n.describe()).isFalse();
        assertThat(n.prefixes()).contains("/etc/shadow", "/etc/sudoers", "/etc/sudoers.d/", "/root/.ssh/id_*",
                "/run/secrets/kubernetes.io/serviceaccount/", "/var/run/secrets/kubernetes.io/serviceaccount/");
        assertThat(n.prefixes()).hasSizeLessThan(16).noneMatch(p -> p.equals("/") || p.equals("/etc/"));
    }

    /** The interpreted build (rules check, and the fallback when the executable model refuses rules) agrees. */
    @Test
    void theInterpretedBuildOfThePackAgreesAndWarnsOfNothing() throws Exception {
        RuleBase executable = RuleCompiler.compile(DefaultPack.sources());
        RuleBase interpreted = RuleCompiler.check(DefaultPack.sources().stream()
                .map(s -> new RuleSource(s.name(), s.text() + "\n")).toList()); // other sources: not the precompiled build
        assertThat(interpreted.fileReads()).isEqualTo(executable.fileReads());
        assertThat(interpreted.eventTypes()).isEqualTo(executable.eventTypes());
        assertThat(interpreted.rules()).containsExactlyInAnyOrderElementsOf(executable.rules());
        assertThat(interpreted.warnings()).isEmpty();
        assertThat(executable.warnings()).isEmpty();
    }

    @Test
    void pathTestsBoundTheReads() throws Exception {
        assertThat(bounded("evt.type = open and fd.name = /etc/shadow")).containsExactly("/etc/shadow");
        assertThat(bounded("fd.name in (/a/x, /b/y)")).containsExactly("/a/x", "/b/y");
        // a container's read of a host file through a bind mount: the kernel judges its host path too
        assertThat(bounded("fd.host_name glob '/root/.ssh/id_*'")).containsExactly("/root/.ssh/id_*");
        assertThat(bounded("fd.name startswith /srv/keys/")).containsExactly("/srv/keys/");
        assertThat(bounded("fd.name startswith /srv/key")).containsExactly("/srv/key*");
        assertThat(bounded("fd.name glob '/root/.ssh/id_*'")).containsExactly("/root/.ssh/id_*");
        assertThat(bounded("fd.name glob '/home/*/.ssh/id_*'")).containsExactly("/home/");
        assertThat(bounded("fd.name pmatch (/etc/ssl, /opt/x/)")).containsExactly("/etc/ssl", "/opt/x/");
        assertThat(bounded("fd.directory = /etc/cron.d")).containsExactly("/etc/cron.d/");
        assertThat(bounded("fd.directory in (/a, /b/c)")).containsExactly("/a/", "/b/c/");
    }

    @Test
    void andKeepsTheTighterBoundOrTheUnionNotSwaps() throws Exception {
        assertThat(bounded("fd.name startswith /etc/ and fd.name in (/etc/shadow, /tmp/x)")).containsExactly("/etc/shadow");
        assertThat(bounded("fd.name startswith /etc/ and proc.name = cat")).containsExactly("/etc/");
        assertThat(bounded("fd.name = /a/x or fd.name startswith /b/")).containsExactly("/a/x", "/b/");
        assertThat(bounded("fd.name startswith /etc/ and not fd.name endswith .pub")).containsExactly("/etc/");
        assertThat(bounded("evt.type != unlink and fd.name = /x/y")).containsExactly("/x/y");
        assertThat(bounded("not (fd.name != /x/y or proc.name = cat)")).containsExactly("/x/y");
        // A part of an 'or' that no read can satisfy does not widen it.
        assertThat(bounded("(evt.type = open and evt.is_open_write = true) or fd.name = /x/y")).containsExactly("/x/y");
    }

    @Test
    void conditionsNoReadCanSatisfyNeedNone() throws Exception {
        for (String c : List.of("evt.type = open and evt.is_open_write = true",
                "evt.is_open_read = false", "not evt.is_open_read = true", "evt.failed = true",
                "evt.res = EACCES", "evt.res != SUCCESS", "evt.rawres < 0", "evt.type in (unlink, rename, chmod)",
                "evt.type = creat", "evt.type = open and evt.arg.flags = 577", "file.newpath startswith /etc/",
                "fd.name = relative/path",
                // the kernel sends another process's /proc/PID/mem opens whatever the read filter
                "evt.type = open and fd.other_proc_mem = true")) {
            assertThat(yaml(c)).as(c).isEqualTo(FileReadNeeds.NONE);
        }
    }

    @Test
    void unboundedConditionsNeedEveryReadAndNameTheRule() throws Exception {
        for (String c : List.of("evt.type = open and proc.name = cat", "not fd.name startswith /etc/",
                "fd.name = /a/x or proc.name = cat", "fd.name glob '*/token'", "evt.type = openat",
                "fd.name endswith /shadow", "fd.directory = /", "fd.name = /")) {
            FileReadNeeds n = yaml(c);
            assertThat(n.all()).as(c).isTrue();
            assertThat(n.unbounded()).as(c).containsExactly("R");
            assertThat(n.filter()).isEmpty();
        }
    }

    @Test
    void rulesOnOtherEventsNeedNoReadsAndExceptionsDoNotWiden() throws Exception {
        assertThat(yaml("evt.type = exec and proc.name = sh")).isEqualTo(FileReadNeeds.NONE);
        FileReadNeeds n = RuleCompiler.compile(List.of(new RuleSource("t.yaml", """
                - rule: R
                  desc: d
                  condition: evt.type = open and fd.name startswith /etc/
                  exceptions:
                    - name: hosts
                      fields: [fd.name]
                      values: [[/etc/hosts]]
                  output: o
                  priority: WARNING
                """))).fileReads();
        assertThat(n.prefixes()).containsExactly("/etc/");
    }

    @Test
    void generatedDrlCarriesTheInferredReads() throws Exception {
        String drl = RuleCompiler.toDrl(List.of(new RuleSource("t.yaml", """
                - rule: R
                  desc: d
                  condition: evt.type = open and fd.name in (/etc/shadow, /etc/gshadow)
                  output: o
                  priority: WARNING
                """))).get("t.yaml");
        assertThat(drl).contains("@fileReads(\"/etc/gshadow,/etc/shadow\")");
    }

    @Test
    void drlRulesDeclareTheirReadsOrNeedThemAll() throws Exception {
        String open = "$e : FileEvent( op == FileOp.OPEN )";
        FileReadNeeds undeclared = drl("", open);
        assertThat(undeclared.all()).isTrue();
        assertThat(undeclared.unbounded()).containsExactly("D");
        assertThat(drl("@fileReads(\"/etc/shadow, /root/.ssh/\")", open).prefixes()).containsExactly("/etc/shadow", "/root/.ssh/");
        assertThat(drl("@fileReads(\"none\")", open)).isEqualTo(FileReadNeeds.NONE);
        // A FileEvent only inside an accumulate is read all the same.
        assertThat(drl("", "Number( intValue > 3 ) from accumulate( FileEvent( op == FileOp.OPEN ), count(1) )").all()).isTrue();
        // A pattern of a supertype matches file events too.
        assertThat(drl("", "$e : Event( )").all()).isTrue();
        assertThat(drl("", "$e : ExecEvent( )")).isEqualTo(FileReadNeeds.NONE);
    }

    @Test
    void aBadAnnotationIsAnErrorAtItsPlace() {
        for (String bad : List.of("etc/shadow", "/etc/../shadow", "", "/a,,/b")) {
            assertThatThrownBy(() -> drl("\n  @fileReads(\"" + bad + "\")", "$e : FileEvent( )"))
                    .as(bad).isInstanceOf(RuleCompileException.class)
                    .satisfies(e -> {
                        RuleError err = ((RuleCompileException) e).errors().getFirst();
                        assertThat(err.file()).isEqualTo("rules/t.drl");
                        assertThat(err.line()).isEqualTo(7);
                        assertThat(err.column()).isEqualTo(3);
                        assertThat(err.message()).contains("@fileReads");
                    });
        }
    }

    @Test
    void yamlAndDrlNeedsAddUp() throws Exception {
        FileReadNeeds n = RuleCompiler.compile(List.of(new RuleSource("t.yaml", """
                - rule: R
                  desc: d
                  condition: evt.type = open and fd.name = /etc/shadow
                  output: o
                  priority: WARNING
                """), new RuleSource("t.drl", """
                package t;
                import io.eunomia.event.*;
                global io.eunomia.rules.AlertSink alerts;
                rule "D" @fileReads("/opt/secret/")
                when $e : FileEvent( ) then alerts.raise(drools, $e); end
                """))).fileReads();
        assertThat(n.prefixes()).containsExactly("/etc/shadow", "/opt/secret/");
        assertThat(n.plus(FileReadNeeds.ALL).all()).isTrue();
        assertThat(RuleCompiler.compile(List.of(new RuleSource("t.yaml", """
                - rule: R
                  desc: d
                  condition: evt.type = exec
                  output: o
                  priority: WARNING
                """))).eventTypes()).doesNotContain(EventType.FILE);
    }
}
