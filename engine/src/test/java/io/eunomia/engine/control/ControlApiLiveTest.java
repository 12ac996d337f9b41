package io.eunomia.engine.control;

import static io.eunomia.engine.control.LiveControl.asNobody;
import static io.eunomia.engine.control.LiveControl.awaitReady;
import static io.eunomia.engine.control.LiveControl.body;
import static io.eunomia.engine.control.LiveControl.ctl;
import static io.eunomia.engine.control.LiveControl.curl;
import static io.eunomia.engine.control.LiveControl.run;
import static io.eunomia.engine.control.LiveControl.sensor;
import static io.eunomia.engine.control.LiveControl.status;
import static io.eunomia.engine.control.LiveControl.stop;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import io.eunomia.engine.control.LiveControl.Run;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.testkit.BesideTheStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API of a real monitor (its own JVM, real sensors): curl on the unix socket, the
 * {@code eunomia ctl} client, a sensor switched off and on while a rule reads it, rules reloaded,
 * and who is refused: another user (socket modes, then SO_PEERCRED), a missing or wrong token on
 * TCP, a token file others can read, a non-loopback address.
 */
@BesideTheStream
class ControlApiLiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MS = 60_000; // awaits what an act causes; generous for a loaded machine

    @TempDir
    Path dir;

    private static String rules(Path watched, Path barrier, String extra) {
        return """
                package ctl;
                import io.eunomia.event.*;
                global io.eunomia.rules.AlertSink alerts;
                rule "Ctl marker read"
                  @priority("WARNING") @tags("test") @output("read %fd.name by pid %proc.pid") @fileReads("WATCHED/")
                when
                  $e : FileEvent( op == FileOp.OPEN, path str[startsWith] "WATCHED/" )
                then
                  alerts.raise(drools, $e);
                end
                rule "Ctl barrier"
                  @priority("NOTICE") @tags("test") @output("barrier pid %proc.pid")
                when
                  $e : ExecEvent( exe == "BARRIER" )
                then
                  alerts.raise(drools, $e);
                end
                """.replace("WATCHED", watched.toString()).replace("BARRIER", barrier.toString()) + extra;
    }

    /** Polls the recent alerts until one matches (those present before the act cannot: they name other pids). */
    private static JsonNode awaitAlert(Path socket, Predicate<JsonNode> match) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            for (JsonNode a : body(curl(socket, "GET", "/v1/alerts?limit=1000"))) {
                if (match.test(a)) {
                    return a;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no matching alert within " + WAIT_MS + " ms");
    }

    private static long readMarker(Path file) throws Exception {
        Process p = new ProcessBuilder("cat", file.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor()).isZero();
        return p.pid();
    }

    private static long exec(Path program) throws Exception {
        Process p = new ProcessBuilder(program.toString()).start();
        assertThat(p.waitFor()).isZero();
        return p.pid();
    }

    private static Predicate<JsonNode> output(String text) {
        return a -> a.path("output").asText().equals(text);
    }

    @Test
    void aRealMonitorIsControlledOverItsUnixSocketAndRefusesOthers() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("watched-" + UUID.randomUUID()));
        Path marker = Files.writeString(watched.resolve("marker"), "x");
        Path barrier = Files.copy(Path.of("/bin/true"), dir.resolve("barrier"), StandardCopyOption.COPY_ATTRIBUTES);
        Path ruleFile = Files.writeString(dir.resolve("ctl.drl"), rules(watched, barrier, ""));
        Path socket = dir.resolve("run/eunomia.sock");
        Path csv = dir.resolve("alerts.csv");
        Process monitor = EunomiaProcess.builder("monitor", "--no-default-rules", "--rules", ruleFile.toString(),
                "--no-metrics", "--no-rule-cache", "--aggregate", "0", "--control-socket", socket.toString(),
                "--output-file", csv.toString(), "--output-file-format", "csv")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(awaitReady(monitor)).contains("control on unix:" + socket);

            // Root only by the file system: the socket 0600 in a 0700 directory.
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");

            Run status = curl(socket, "GET", "/v1/status");
            assertThat(status(status)).as(status.toString()).isEqualTo(200);
            JsonNode s = body(status);
            assertThat(s.path("pid").asLong()).isEqualTo(monitor.pid());
            assertThat(s.path("rules").asInt()).isEqualTo(2);
            // Whether the 32-bit dispatcher is attached, and why: the test JVM's setting, passed on to the
            // monitor (Compat32Watch; off for the tests, engine/pom.xml). "not watched" contains "watched".
            assertThat(s.path("calls32").asText())
                    .isEqualTo(io.eunomia.bpf.Compat32Watch.decide(io.eunomia.bpf.Compat32.fromSystemProperty()).toString());
            JsonNode file = sensor(s, "file");
            assertThat(file.path("attached").asBoolean()).isTrue();
            assertThat(file.path("rules")).extracting(JsonNode::asText).containsExactly("Ctl marker read");
            assertThat(sensor(s, "process").path("rules")).extracting(JsonNode::asText).containsExactly("Ctl barrier");
            assertThat(sensor(s, "net").path("loaded").asBoolean()).isFalse();

            // An alert arrives in the recent alerts and in the CSV file.
            long reader = readMarker(marker);
            JsonNode alert = awaitAlert(socket, output("read " + marker + " by pid " + reader));
            assertThat(alert.path("rule").asText()).isEqualTo("Ctl marker read");

            // The file sensor switched off by the client: the answer names the rule that reads it.
            Run stop = ctl("ctl", "--socket", socket.toString(), "--format", "json", "sensor", "stop", "file");
            assertThat(stop.exit()).as(stop.toString()).isZero();
            JsonNode stopped = JSON.readTree(stop.stdout());
            assertThat(stopped.path("changed").asBoolean()).isTrue();
            assertThat(stopped.path("rules")).extracting(JsonNode::asText).containsExactly("Ctl marker read");
            long unseen = readMarker(marker);
            long fence = exec(barrier);   // after the read: its alert proves the pipeline got past the read
            awaitAlert(socket, output("barrier pid " + fence));
            assertThat(body(curl(socket, "GET", "/v1/alerts?limit=1000")).findValuesAsText("output"))
                    .doesNotContain("read " + marker + " by pid " + unseen);
            assertThat(sensor(body(curl(socket, "GET", "/v1/status")), "file").path("attached").asBoolean()).isFalse();

            Run start = ctl("ctl", "--socket", socket.toString(), "sensor", "start", "file");
            assertThat(start.exit()).as(start.toString()).isZero();
            assertThat(start.stdout()).startsWith("sensor file started: 1 rules read its events again");
            long again = readMarker(marker);
            awaitAlert(socket, output("read " + marker + " by pid " + again));

            // A sensor no rule reads, loaded while running, and an unknown one.
            JsonNode net = body(curl(socket, "POST", "/v1/sensors/net/start"));
            assertThat(net.path("note").asText()).isEqualTo("no rule reads its events (net)");
            assertThat(sensor(body(curl(socket, "GET", "/v1/status")), "net").path("attached").asBoolean()).isTrue();
            Run unknown = curl(socket, "POST", "/v1/sensors/nosuch/start");
            assertThat(status(unknown)).isEqualTo(404);

            // Reload through the API: a broken file answers 422 with file:line:column, the rules stay.
            Files.writeString(ruleFile, rules(watched, barrier, "rule \"Broken\" when $e : ExecEvent( nosuchfield == 1 ) then end\n"));
            Run broken = curl(socket, "POST", "/v1/rules/reload");
            assertThat(status(broken)).as(broken.toString()).isEqualTo(422);
            assertThat(body(broken).path("errors").get(0).asText()).startsWith(ruleFile + ":").contains("nosuchfield");
            Files.writeString(ruleFile, rules(watched, barrier, LiveControl.neverFiring("Ctl third", "third")));
            Run reload = ctl("ctl", "--socket", socket.toString(), "reload");
            assertThat(reload.stdout()).as(reload.toString()).isEqualTo("reloaded: 3 rules\n");

            // Bad requests.
            assertThat(status(curl(socket, "GET", "/v1/rules/reload"))).isEqualTo(405);
            assertThat(status(curl(socket, "GET", "/v1/alerts?limit=0"))).isEqualTo(400);
            assertThat(status(curl(socket, "GET", "/nope"))).isEqualTo(404);
            Run noProfiles = curl(socket, "POST", "/v1/profiles/web/mode", "-d", "{\"mode\":\"enforce\"}");
            assertThat(status(noProfiles)).isEqualTo(409);
            assertThat(body(noProfiles).path("error").asText()).contains("--profiles DIR");

            // Another user: the file modes keep it out; opened up, the peer check answers 403.
            List<String> nobodyCurl = List.of("curl", "-sS", "-m", "10", "-o", "-", "-w", "\n%{http_code}", "--unix-socket",
                    socket.toString(), "http://eunomia/v1/status");
            Run denied = asNobody(nobodyCurl);
            assertThat(denied.exit()).as(denied.toString()).isEqualTo(7);   // couldn't connect
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Run forbidden = asNobody(nobodyCurl);
            assertThat(status(forbidden)).as(forbidden.toString()).isEqualTo(403);
            assertThat(body(forbidden).path("error").asText()).isEqualTo("only root may control this monitor (you are nobody)");
            Run asRoot = curl(socket, "GET", "/v1/status");
            assertThat(status(asRoot)).isEqualTo(200);

            // The CSV file holds the alerts, read back by a CSV reader.
            List<Map<String, String>> rows;
            try (var it = new CsvMapper().readerForMapOf(String.class).with(new CsvMapper().schemaWithHeader())
                    .<Map<String, String>>readValues(csv.toFile())) {
                long deadline = System.currentTimeMillis() + WAIT_MS;
                rows = it.readAll();
                while (rows.stream().noneMatch(r -> r.get("output").equals("read " + marker + " by pid " + again))
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                    try (var again2 = new CsvMapper().readerForMapOf(String.class).with(new CsvMapper().schemaWithHeader())
                            .<Map<String, String>>readValues(csv.toFile())) {
                        rows = again2.readAll();
                    }
                }
            }
            assertThat(rows).anySatisfy(r -> assertThat(r).containsEntry("output", "read " + marker + " by pid " + reader)
                    .containsEntry("rule", "Ctl marker read").containsEntry("event_type", "file").containsEntry("comm", "cat"));
        } finally {
            stop(monitor);
        }
        assertThat(socket).as("the socket is removed when the monitor stops").doesNotExist();
    }

    @Test
    void onLoopbackTcpEveryRequestNeedsTheTokenAndTokenFilesOthersCanReadAreRefused() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "t0ken-" + UUID.randomUUID() + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        Run open = ctl("monitor", "--no-metrics", "--control-listen", "127.0.0.1:0", "--control-token-file", token.toString());
        assertThat(open.exit()).isEqualTo(2);
        assertThat(open.stderr()).contains(token + ": the token file is open to others (rw-r--r--); chmod 600 " + token);
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Run wide = ctl("monitor", "--no-metrics", "--control-listen", "0.0.0.0:0", "--control-token-file", token.toString());
        assertThat(wide.exit()).isEqualTo(2);
        assertThat(wide.stderr()).contains("--control-listen 0.0.0.0:0 is not a loopback address");

        Process monitor = EunomiaProcess.builder("monitor", "--no-metrics", "--control-listen", "127.0.0.1:0",
                "--control-token-file", token.toString(), "--learn-dir", dir.resolve("learned").toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String ready = awaitReady(monitor);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("control on http://127\\.0\\.0\\.1:(\\d+)").matcher(ready);
            assertThat(m.find()).as(ready).isTrue();
            String url = "http://127.0.0.1:" + m.group(1) + "/v1/status";
            Run none = run(List.of("curl", "-sS", "-m", "10", "-o", "-", "-w", "\n%{http_code}", "-D", "-", url));
            assertThat(status(none)).isEqualTo(401);
            assertThat(none.stdout()).contains("WWW-Authenticate: Bearer");
            Run wrong = run(List.of("curl", "-sS", "-m", "10", "-o", "-", "-w", "\n%{http_code}", "-H",
                    "Authorization: Bearer t0ken-wrong-wrong-wrong", url));
            assertThat(status(wrong)).isEqualTo(401);
            Run right = run(List.of("curl", "-sS", "-m", "10", "-o", "-", "-w", "\n%{http_code}", "-H",
                    "Authorization: Bearer " + Files.readString(token).strip(), url));
            assertThat(status(right)).as(right.toString()).isEqualTo(200);
            assertThat(body(right).path("pid").asLong()).isEqualTo(monitor.pid());
            assertThat(body(right).path("rules").asInt()).as("the default pack").isGreaterThan(20);

            // Learning through the API: the same 401 without the token; with it, start and stop.
            String learn = "http://127.0.0.1:" + m.group(1) + "/v1/learning/web/start";
            assertThat(status(run(List.of("curl", "-sS", "-m", "10", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", learn))))
                    .isEqualTo(401);
            assertThat(status(run(List.of("curl", "-sS", "-m", "10", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", "-H",
                    "Authorization: Bearer t0ken-wrong-wrong-wrong", learn)))).isEqualTo(401);
            Run learning = ctl("ctl", "--url", "127.0.0.1:" + m.group(1), "--token-file", token.toString(), "learn", "start", "web");
            assertThat(learning.stdout()).as(learning.toString()).startsWith("container web: learning");
            Run learned = ctl("ctl", "--url", "127.0.0.1:" + m.group(1), "--token-file", token.toString(), "learn", "stop", "web");
            assertThat(learned.stdout()).as(learned.toString()).contains("nothing was learned");

            Run client = ctl("ctl", "--url", "127.0.0.1:" + m.group(1), "--token-file", token.toString(), "status");
            assertThat(client.exit()).as(client.toString()).isZero();
            assertThat(client.stdout()).startsWith("monitor pid " + monitor.pid() + ",").contains("SENSOR").contains("drops: ");
        } finally {
            stop(monitor);
        }
    }
}
