package io.eunomia.engine.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.EunomiaProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A monitor in its own JVM and the calls the control API's live tests make to it: curl, eunomia ctl. */
final class LiveControl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LiveControl() {}

    record Run(int exit, String stdout, String stderr) {}

    static Run run(List<String> cmd) throws Exception {
        return finish(new ProcessBuilder(cmd).start());
    }

    /** The command as the unprivileged user nobody. */
    static Run asNobody(List<String> cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        all.addAll(cmd);
        return run(all);
    }

    private static Run finish(Process p) throws Exception {
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** A DRL rule (package, imports and global given elsewhere) that never fires: no exec runs that file. */
    static String neverFiring(String name, String output) {
        return """
                rule "NAME"
                  @priority("NOTICE") @output("OUTPUT")
                when
                  $e : ExecEvent( exe == "/nonexistent/never" )
                then
                  alerts.raise(drools, $e);
                end
                """.replace("NAME", name).replace("OUTPUT", output);
    }

    static Run curl(Path socket, String method, String path, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-m", "60", "-o", "-", "-w", "\n%{http_code}",
                "--unix-socket", socket.toString(), "-X", method));
        cmd.addAll(List.of(more));
        cmd.add("http://eunomia" + path);
        return run(cmd);
    }

    static int status(Run r) {
        String s = r.stdout().strip();
        return Integer.parseInt(s.substring(s.lastIndexOf('\n') + 1));
    }

    static JsonNode body(Run r) throws Exception {
        String s = r.stdout().strip();
        return JSON.readTree(s.substring(0, s.lastIndexOf('\n')));
    }

    static Run ctl(String... args) throws Exception {
        return finish(EunomiaProcess.builder(args).start());
    }

    /** The monitor's ready line; the rest of its stderr is copied to the test's output. */
    static String awaitReady(Process monitor) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(monitor.getErrorStream(), StandardCharsets.UTF_8));
        String ready = EunomiaProcess.awaitLine(err, "monitoring with");
        Thread.ofVirtual().start(() -> {
            try {
                err.lines().forEach(l -> System.out.println("[monitor] " + l));
            } catch (java.io.UncheckedIOException e) {
                // the monitor is gone
            }
        });
        return ready;
    }

    static void stop(Process monitor) throws InterruptedException {
        monitor.destroy();
        if (!monitor.waitFor(30, TimeUnit.SECONDS)) {
            monitor.destroyForcibly();
        }
    }

    /** One sensor of a status answer. */
    static JsonNode sensor(JsonNode status, String name) {
        for (JsonNode s : status.path("sensors")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no sensor " + name + " in " + status);
    }
}
