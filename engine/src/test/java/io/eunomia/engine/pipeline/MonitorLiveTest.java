package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor path with real sensors: a real process does the thing, the alert arrives. */
class MonitorLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String RULE = """
            package live;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;
            rule "NAME"
              @priority("CRITICAL") @tags("test") @output("%proc.name (pid %proc.pid) opened %fd.name")
            when
              $e : FileEvent( op == FileOp.OPEN, path == "/etc/shadow", process.comm == "cat" )
            then
              alerts.raise(drools, $e);
            end
            """;

    private static long catShadow() throws Exception {
        Process p = new ProcessBuilder("cat", "/etc/shadow").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor()).isZero();
        return p.pid();
    }

    @Test
    void aChildReadingShadowRaisesAnAlertWithItsPidAndReloadsKeepOrSwitchRules(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("live.drl");
        Files.writeString(file, RULE.replace("NAME", "Shadow read v1"));
        RuleLoader loader = new RuleLoader(List.of(dir), false);
        InMemoryOutput out = new InMemoryOutput();
        List<String> logs = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logs.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger julLogger = Logger.getLogger(RuleReloader.class.getName()); // held: JUL loggers are weakly referenced
        julLogger.addHandler(capture);
        try (Monitor m = Monitor.start(loader, out, Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o)) {
            m.watchRuleFiles(loader);
            assertThat(m.startup().sensors()).extracting(s -> s.objectName()).containsExactly("file");

            Recorder.Mark before = out.mark();
            long pid = catShadow();
            Alert a = out.awaitAfter(before, x -> x.event().process().pid() == pid, WAIT);
            assertThat(a.rule()).isEqualTo("Shadow read v1");
            assertThat(a.output()).isEqualTo("cat (pid " + pid + ") opened /etc/shadow");

            // A broken edit (noticed by the file watcher): logged with file:line, old rules keep running.
            Files.writeString(file, RULE.replace("NAME", "Shadow read v2").replace("path ==", "nosuchfield =="));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (logs.stream().noneMatch(l -> l.contains("live.drl:7")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(String.join("\n", logs)).contains("rules not reloaded").contains(file + ":7").contains("nosuchfield");
            before = out.mark();
            long pid2 = catShadow();
            assertThat(out.awaitAfter(before, x -> x.event().process().pid() == pid2, WAIT).rule())
                    .isEqualTo("Shadow read v1");

            // A good edit, reloaded on demand (what SIGHUP does): the new rules take over.
            Files.writeString(file, RULE.replace("NAME", "Shadow read v3"));
            RuleReloader.Result r = m.reloader().reload("test").get();
            assertThat(r.ok()).isTrue();
            before = out.mark();
            long pid3 = catShadow();
            assertThat(out.awaitAfter(before, x -> x.event().process().pid() == pid3, WAIT).rule())
                    .isEqualTo("Shadow read v3");

            assertThat(m.pipeline().stats().dropped()).isZero();
            assertThat(m.pipeline().stats().reloads()).isGreaterThanOrEqualTo(1);
        } finally {
            julLogger.removeHandler(capture);
        }
    }
}
