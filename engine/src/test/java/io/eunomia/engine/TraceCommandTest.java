package io.eunomia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.format.EventJson;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `eunomia trace` end to end: a real JVM running the CLI, a real process to watch. */
class TraceCommandTest {

    @Test
    void jsonTraceShowsAnExecAndStopsAfterMaxEvents(@TempDir Path tmp) throws Exception {
        Path probe = tmp.resolve("eunomia-probe");
        Files.copy(Path.of("/bin/true"), probe, StandardCopyOption.COPY_ATTRIBUTES);
        Process trace = EunomiaProcess.builder("trace", "--type", "exec", "--comm", "eunomia-probe",
                "--format", "json", "--max-events", "1").start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(trace.getErrorStream(), StandardCharsets.UTF_8));
             BufferedReader out = new BufferedReader(new InputStreamReader(trace.getInputStream(), StandardCharsets.UTF_8))) {
            EunomiaProcess.awaitLine(err, "tracing exec");
            Process child = new ProcessBuilder(probe.toString(), "--flag", "two words").start();
            assertThat(child.waitFor()).isZero();

            String line = out.readLine();
            assertThat(line).isNotNull();
            Event e = new EventJson().read(line);
            assertThat(e).isInstanceOf(ExecEvent.class);
            ExecEvent exec = (ExecEvent) e;
            assertThat(exec.process().pid()).isEqualTo(child.pid());
            assertThat(exec.exe()).isEqualTo(probe.toRealPath().toString());
            assertThat(exec.argv()).containsExactly(probe.toString(), "--flag", "two words");

            assertThat(trace.waitFor(120, TimeUnit.SECONDS)).as("trace stops by itself after --max-events 1").isTrue();
            assertThat(trace.exitValue()).isZero();
            String totals = EunomiaProcess.awaitLine(err, "events printed");
            assertThat(totals).contains("1 events printed").contains("lost in kernel 0");
        } finally {
            trace.destroyForcibly();
        }
    }

    @Test
    void containerFilterShowsOnlyThatContainer() throws Exception {
        try (io.eunomia.testkit.Runc runc = new io.eunomia.testkit.Runc()) {
            String id = io.eunomia.testkit.OciRuntime.uniqueId("eun-trace");
            try (var c = runc.start(id, java.util.List.of("sh", "-c", "while true; do cat /etc/hostname >/dev/null; sleep 0.1; done"))) {
                Process trace = EunomiaProcess.builder("trace", "--type", "exec,file", "--container", id,
                        "--format", "json", "--max-events", "20").start();
                try (BufferedReader out = new BufferedReader(new InputStreamReader(trace.getInputStream(), StandardCharsets.UTF_8));
                     BufferedReader err = new BufferedReader(new InputStreamReader(trace.getErrorStream(), StandardCharsets.UTF_8))) {
                    EunomiaProcess.awaitLine(err, "tracing"); // attached: what follows is seen
                    // Host activity meanwhile must not show up.
                    for (int i = 0; i < 5; i++) {
                        new ProcessBuilder("/bin/cat", "/etc/hostname").start().waitFor();
                    }
                    EventJson json = new EventJson();
                    int seen = 0;
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        Event e = json.read(line);
                        assertThat(e.process().container().id()).isEqualTo(id);
                        assertThat(e.process().container().runtime()).isEqualTo("runc");
                        seen++;
                    }
                    assertThat(seen).isEqualTo(20);
                    assertThat(trace.waitFor(120, TimeUnit.SECONDS)).isTrue();
                } finally {
                    trace.destroyForcibly();
                }
            }
        }
    }

    @Test
    void ctrlCDetachesAndPrintsTotals() throws Exception {
        Process trace = EunomiaProcess.builder("trace", "--type", "exec,exit").start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(trace.getErrorStream(), StandardCharsets.UTF_8))) {
            EunomiaProcess.awaitLine(err, "tracing exec,exit");
            new ProcessBuilder("/bin/true").start().waitFor();
            // What Ctrl-C sends to the foreground process.
            assertThat(new ProcessBuilder("kill", "-INT", Long.toString(trace.pid())).start().waitFor()).isZero();
            assertThat(trace.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String totals = EunomiaProcess.awaitLine(err, "events printed");
            assertThat(totals).contains("exec").contains("lost in kernel");
        } finally {
            trace.destroyForcibly();
        }
    }
}
