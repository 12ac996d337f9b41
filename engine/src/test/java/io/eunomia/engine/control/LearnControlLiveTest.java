package io.eunomia.engine.control;

import static io.eunomia.engine.control.LiveControl.asNobody;
import static io.eunomia.engine.control.LiveControl.awaitReady;
import static io.eunomia.engine.control.LiveControl.body;
import static io.eunomia.engine.control.LiveControl.ctl;
import static io.eunomia.engine.control.LiveControl.curl;
import static io.eunomia.engine.control.LiveControl.sensor;
import static io.eunomia.engine.control.LiveControl.status;
import static io.eunomia.engine.control.LiveControl.stop;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.abi.Arch;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.engine.control.LiveControl.Run;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Learning started and stopped through the control API of a real monitor (its own JVM, real
 * sensors) for a real runc container running a loop: the learning sensor is loaded into the
 * running monitor on demand and unloaded after, the profile is checkpointed while it learns and
 * written at stop, and holds the loop's syscalls. Another user gets 403 (a missing token's 401:
 * ControlApiLiveTest, whose TCP monitor also learns).
 */
class LearnControlLiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MS = 30_000;
    private static final String RULES = """
            package learnctl;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;
            """ + LiveControl.neverFiring("Learn ctl never", "never");
    /** mkdir and rmdir: calls the container makes only in this loop (busybox sh's own start makes neither). */
    private static final String LOOP = "while true; do mkdir /tmp/learned-dir; rmdir /tmp/learned-dir; "
            + "cat /etc/hostname > /dev/null; sleep 0.2; done";

    @Test
    void aRunningContainerIsLearnedThroughTheControlApi() throws Exception {
        Path dir = Files.createTempDirectory("eunomia-learnctl-");
        Path socket = dir.resolve("run/eunomia.sock");
        Path learned = dir.resolve("learned");
        Path rules = Files.writeString(dir.resolve("r.drl"), RULES);
        String name = Runc.uniqueId("learn-loop");
        Process monitor = null;
        try (Runc runc = new Runc()) {
            monitor = EunomiaProcess.builder("monitor", "--no-default-rules", "--rules", rules.toString(), "--no-metrics",
                    "--no-rule-cache", "--control-socket", socket.toString(), "--learn-dir", learned.toString(),
                    "--learn-checkpoint", "1s").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            awaitReady(monitor);
            assertThat(sensorNames(body(curl(socket, "GET", "/v1/status")))).as("nothing learned: no learning sensor")
                    .doesNotContain("syscount");

            try (RunningContainer c = runc.start(name, ContainerSpec.of("sh", "-c", LOOP))) {
                Run started = ctl("ctl", "--socket", socket.toString(), "--format", "json", "learn", "start", name);
                assertThat(started.exit()).as(started.toString()).isZero();
                JsonNode s = JSON.readTree(started.stdout());
                assertThat(s.path("learning").asBoolean()).isTrue();
                assertThat(s.path("changed").asBoolean()).isTrue();
                assertThat(s.path("directory").asText()).isEqualTo(learned.toString());
                Run again = ctl("ctl", "--socket", socket.toString(), "--format", "json", "learn", "start", name);
                assertThat(JSON.readTree(again.stdout()).path("changed").asBoolean()).isFalse();

                JsonNode status = body(curl(socket, "GET", "/v1/status"));
                assertThat(status.path("learning")).hasSize(1);
                assertThat(status.path("learning").get(0).path("container").asText()).isEqualTo(name);
                JsonNode syscount = sensor(status, "syscount");
                assertThat(syscount.path("attached").asBoolean()).as("loaded into the running monitor").isTrue();

                // Checkpointed while it learns: the file appears with the loop's calls, no temp file stays.
                Path file = learned.resolve(ProfileFiles.fileName(name));
                Profile checkpoint = awaitProfile(file, List.of("mkdir", "rmdir"));
                assertThat(checkpoint.metadata().name()).isEqualTo(name);
                Run text = ctl("ctl", "--socket", socket.toString(), "status");
                assertThat(text.stdout()).as(text.toString()).contains("LEARNING").contains(name);

                Run stopped = ctl("ctl", "--socket", socket.toString(), "--format", "json", "learn", "stop", name);
                assertThat(stopped.exit()).as(stopped.toString()).isZero();
                JsonNode st = JSON.readTree(stopped.stdout());
                assertThat(st.path("learning").asBoolean()).isFalse();
                assertThat(st.path("profiles")).hasSize(1);
                assertThat(st.path("profiles").get(0).path("file").asText()).isEqualTo(file.toString());
                assertThat(st.path("profiles").get(0).path("syscalls").asInt()).isGreaterThan(5);
                Profile last = ProfileFiles.read(file);
                assertThat(last.arch(Arch.current()).workload().keySet()).contains("mkdir", "rmdir", "execve", "wait4");
                try (Stream<Path> files = Files.list(learned)) {
                    assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly(file.getFileName().toString());
                }
                JsonNode after = body(curl(socket, "GET", "/v1/status"));
                assertThat(after.path("learning")).isEmpty();
                assertThat(sensor(after, "syscount").path("attached").asBoolean()).as("unloaded after the last stop").isFalse();
            }

            // Errors: not learned (404), a name that is no container name (400), another user (403).
            Run notLearned = ctl("ctl", "--socket", socket.toString(), "learn", "stop", name);
            assertThat(notLearned.exit()).isEqualTo(1);
            assertThat(notLearned.stderr()).contains("(404)").contains(name + " is not being learned");
            Run badName = curl(socket, "POST", "/v1/learning/-x/start");
            assertThat(status(badName)).as(badName.toString()).isEqualTo(400);
            Run badVerb = curl(socket, "GET", "/v1/learning/" + name + "/start");
            assertThat(status(badVerb)).isEqualTo(405);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Run forbidden = asNobody(List.of("curl", "-sS", "-m", "10", "-o", "-", "-w", "\n%{http_code}", "-X", "POST",
                    "--unix-socket", socket.toString(), "http://eunomia/v1/learning/" + name + "/start"));
            assertThat(status(forbidden)).as(forbidden.toString()).isEqualTo(403);
            assertThat(body(curl(socket, "GET", "/v1/status")).path("learning")).as("the refused start did nothing").isEmpty();
        } finally {
            if (monitor != null) {
                stop(monitor);
            }
            Cleanup.unmountAndDelete(dir);
        }
    }

    /** Waits for a checkpoint holding {@code syscalls}; a half-written file would fail to parse. */
    private static Profile awaitProfile(Path file, List<String> syscalls) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        List<String> seen = new ArrayList<>();
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(file)) {
                Profile p = ProfileFiles.read(file);
                var arch = p.architectures().get(Arch.current());
                if (arch != null && arch.workload().keySet().containsAll(syscalls)) {
                    try (Stream<Path> files = Files.list(file.getParent())) {
                        assertThat(files.filter(f -> !f.equals(file)).toList()).as("no temp file left").isEmpty();
                    }
                    return p;
                }
                seen = arch == null ? List.of() : List.copyOf(arch.workload().keySet());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no checkpoint with " + syscalls + " in " + file + " within " + WAIT_MS + " ms (last: " + seen + ")");
    }

    private static List<String> sensorNames(JsonNode status) {
        return status.path("sensors").findValuesAsText("name");
    }
}
