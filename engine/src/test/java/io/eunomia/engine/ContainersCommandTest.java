package io.eunomia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * `eunomia containers` lists a real running runc container and one that lived and died while it
 * watched; it says each container as it sees it, and Ctrl-C (SIGTERM) ends the watch with the list.
 */
class ContainersCommandTest {

    @Test
    void listsRunningAndShortLivedContainersAsJson() throws Exception {
        try (Runc runc = new Runc()) {
            String running = OciRuntime.uniqueId("eun-list");
            String gone;
            try (RunningContainer c = runc.start(running, List.of("sh", "-c", "while true; do cat /etc/hostname >/dev/null; sleep 0.2; done"))) {
                // A watch longer than the test needs: it ends once both containers were seen, not when a window runs out.
                Process cli = EunomiaProcess.builder("containers", "--duration", "120", "--format", "json").start();
                String out;
                try {
                    java.io.BufferedReader err = new java.io.BufferedReader(
                            new java.io.InputStreamReader(cli.getErrorStream(), StandardCharsets.UTF_8));
                    EunomiaProcess.awaitLine(err, "watching");
                    // While the command watches, a container comes and goes.
                    String shortId = OciRuntime.uniqueId("eun-gone");
                    Result r = runc.runShortLived(shortId);
                    assertThat(r.exitCode()).as(r.stderr()).isZero();
                    awaitSeen(err, List.of(running, shortId));
                    cli.toHandle().destroy(); // SIGTERM, as Ctrl-C (Process.destroy would also close our end of its output)
                    assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(cli.exitValue()).as("stopped by SIGTERM").isEqualTo(128 + 15);
                    gone = shortId;
                } finally {
                    cli.destroyForcibly();
                }

                JsonNode list = new ObjectMapper().readTree(out);
                JsonNode live = find(list, running);
                assertThat(live).as(out).isNotNull();
                assertThat(live.path("runtime").asText()).isEqualTo("runc");
                assertThat(live.path("running").asBoolean()).isTrue();
                assertThat(live.path("mntns").asLong()).isEqualTo(mntns(c.pid()));
                assertThat(live.path("events").asLong()).isPositive();

                JsonNode exited = find(list, gone);
                assertThat(exited).as(out).isNotNull();
                assertThat(exited.path("running").asBoolean()).isFalse();
                assertThat(exited.path("events").asLong()).isPositive();
            }
        }
    }

    /** Reads the command's stderr until it said it saw each of these containers (by the id its line carries). */
    private static void awaitSeen(java.io.BufferedReader err, List<String> ids) throws java.io.IOException {
        java.util.Set<String> left = new java.util.HashSet<>(ids);
        while (!left.isEmpty()) {
            String line = EunomiaProcess.awaitLine(err, "eunomia: seen ");
            left.removeIf(id -> line.contains("(" + id + ","));
        }
    }

    private static JsonNode find(JsonNode list, String id) {
        for (JsonNode n : list) {
            if (n.path("id").asText().equals(id)) {
                return n;
            }
        }
        return null;
    }

    private static long mntns(long pid) throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "mnt")).toString();
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }
}
