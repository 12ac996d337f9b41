package io.eunomia.engine.enforce;

import static io.eunomia.engine.enforce.EnforcingCli.rule;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.enforce.ProfileFixtures.Learned;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A running container's profile switched between monitor and enforce through the control API of
 * a real {@code eunomia enforce} (the CLI in its own JVM): the same extra call inside the same
 * container is reported, then killed, then reported again; the kernel policy changes in place.
 */
class ProfileModeSwitchLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String SYSCALL = "Syscall outside learned profile";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode curl(Path socket, String method, String path, String body) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "-m", "30", "--unix-socket", socket.toString(),
                "-X", method, "-w", "\n%{http_code}"));
        if (body != null) {
            cmd.addAll(List.of("-d", body));
        }
        cmd.add("http://eunomia" + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.substring(out.lastIndexOf('\n') + 1)).as(out).isEqualTo("200");
        return JSON.readTree(out.substring(0, out.lastIndexOf('\n')));
    }

    /** mkfifo (mknodat: outside the profile) in the running container; what the shell said. */
    private static Result extraCall(Runc runc, String name, int n) {
        return runc.exec(Duration.ofSeconds(20), "exec", name, "sh", "-c", "mkfifo /tmp/w/p" + n + "; echo rc=$?");
    }

    @Test
    @SuppressWarnings("try")
    void theSameContainerIsReportedThenKilledThenReportedAsItsModeIsSwitched() throws Exception {
        Path dir = Files.createTempDirectory("eunomia-mode-");
        Path socket = dir.resolve("ctl/eunomia.sock");
        try (Runc runc = new Runc()) {
            Learned learned = ProfileFixtures.learned(runc);
            String name = learned.container();
            try (EnforcingCli cli = EnforcingCli.start("enforce", "--mode", "monitor", "--profile", learned.file().toString(),
                    "--control-socket", socket.toString());
                 RunningContainer c = runc.start(name, ProfileFixtures.spec("sh", "-c", ProfileFixtures.workload("")))) {
                ProfileFixtures.awaitDone(c);

                Recorder.Mark mark = cli.mark();
                Result reported = extraCall(runc, name, 1);
                assertThat(reported.stdout()).as(reported.toString()).contains("rc=0");
                JsonNode a1 = cli.await(mark, x -> rule(SYSCALL, name).test(x) && x.path("output").asText().contains("syscall=mknodat"), WAIT);
                assertThat(a1.path("output").asText()).contains("action=reported");

                JsonNode switched = curl(socket, "POST", "/v1/profiles/" + name + "/mode", "{\"mode\":\"enforce\"}");
                assertThat(switched.path("mode").asText()).isEqualTo("enforce");
                assertThat(switched.path("containers")).extracting(JsonNode::asText).containsExactly(name);
                JsonNode status = curl(socket, "GET", "/v1/status", null);
                assertThat(status.path("profiles").get(0).path("mode").asText()).isEqualTo("enforce");
                assertThat(status.path("sensors").findValuesAsText("name")).contains("enforce");

                mark = cli.mark();
                Result killed = extraCall(runc, name, 2);
                assertThat(killed.stdout()).as("mkfifo is killed at mknodat: " + killed).contains("rc=137");
                JsonNode a2 = cli.await(mark, x -> rule(SYSCALL, name).test(x) && x.path("output").asText().contains("syscall=mknodat"), WAIT);
                assertThat(a2.path("output").asText()).contains("action=killed");
                assertThat(c.isRunning()).as("only the offending process dies, not the container").isTrue();

                curl(socket, "POST", "/v1/profiles/" + name + "/mode", "{\"mode\":\"monitor\"}");
                mark = cli.mark();
                Result again = extraCall(runc, name, 3);
                assertThat(again.stdout()).as(again.toString()).contains("rc=0");
                JsonNode a3 = cli.await(mark, x -> rule(SYSCALL, name).test(x) && x.path("output").asText().contains("syscall=mknodat"), WAIT);
                assertThat(a3.path("output").asText()).contains("action=reported");
            }
        } finally {
            Cleanup.unmountAndDelete(dir);
        }
    }
}
