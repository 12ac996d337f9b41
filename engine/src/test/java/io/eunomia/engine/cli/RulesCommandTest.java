package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void checkGoodAndBrokenFiles(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), GOOD);
        Run ok = run("rules", "check", good.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).isEqualTo("1 rules OK\n");
        Path reads = Files.writeString(dir.resolve("reads.yaml"), GOOD + """
                - rule: Key read
                  desc: a key read
                  condition: evt.type = open and (fd.name startswith /srv/keys/ or fd.name = /etc/shadow)
                  output: read %fd.name
                  priority: WARNING
                """);
        assertThat(run("rules", "check", reads.toString()).out())
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
        assertThat(run("rules", "check", dir.resolve("missing.yaml").toString()).exit()).isEqualTo(RulesCheckCommand.EXIT_INVALID);
    }

    @Test
    void compilePrintsTheDrl(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), GOOD);
        Run r = run("rules", "compile", good.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("rule \"Shell in container\"")
                .contains("$e : ExecEvent( process.container.id != \"host\", process.comm in (\"bash\", \"sh\") )")
                .contains("alerts.raise(drools, $e);");
    }
}
