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

/** `eunomia containers` lists a real running runc container and one that lived and died while it watched. */
class ContainersCommandTest {

    @Test
    void listsRunningAndShortLivedContainersAsJson() throws Exception {
        try (Runc runc = new Runc()) {
            String running = OciRuntime.uniqueId("eun-list");
            try (RunningContainer c = runc.start(running, List.of("sh", "-c", "while true; do cat /etc/hostname >/dev/null; sleep 0.2; done"))) {
                Process cli = EunomiaProcess.builder("containers", "--duration", "5", "--format", "json").start();
                java.io.BufferedReader err = new java.io.BufferedReader(
                        new java.io.InputStreamReader(cli.getErrorStream(), StandardCharsets.UTF_8));
                EunomiaProcess.awaitLine(err, "watching");
                // While the command watches, a container comes and goes.
                String shortId = OciRuntime.uniqueId("eun-gone");
                Result r = runc.runShortLived(shortId);
                assertThat(r.exitCode()).as(r.stderr()).isZero();
                assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(cli.exitValue()).isZero();

                JsonNode list = new ObjectMapper().readTree(out);
                JsonNode live = find(list, running);
                assertThat(live).as(out).isNotNull();
                assertThat(live.path("runtime").asText()).isEqualTo("runc");
                assertThat(live.path("running").asBoolean()).isTrue();
                assertThat(live.path("mntns").asLong()).isEqualTo(mntns(c.pid()));
                assertThat(live.path("events").asLong()).isPositive();

                JsonNode gone = find(list, shortId);
                assertThat(gone).as(out).isNotNull();
                assertThat(gone.path("running").asBoolean()).isFalse();
                assertThat(gone.path("events").asLong()).isPositive();
            }
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
