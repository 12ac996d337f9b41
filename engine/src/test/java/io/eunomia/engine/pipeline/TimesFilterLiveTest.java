package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.event.FileEvent;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's times filter as monitor sets it from the rules (@timesSet): with the default pack, a process
 * setting explicit times by descriptor on hundreds of files in a work directory (what tar x and cp -p do)
 * has them all kept in the kernel, while the same on a file below /usr/local/bin still raises
 * "File timestamps set on a system file"; a reload that adds a rule about times set below the work
 * directory gets them at once. One child process, watched alone (a pid filter), does what the test tells it.
 */
class TimesFilterLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes
    private static final String STOMP = "File timestamps set on a system file";

    @Test
    void defaultPackKeepsTimesSetOutsideSystemDirectoriesInTheKernel(@TempDir Path tmp) throws Exception {
        Path rules = Files.createDirectory(tmp.resolve("rules"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        List<String> files = IntStream.range(0, 300).mapToObj(i -> work.resolve("f" + i).toString()).toList();
        for (String f : files) {
            Files.writeString(Path.of(f), "x");
        }
        Path bin = Files.createTempDirectory(Path.of("/usr/local/bin"), "eunomia-tf-");
        Path stamped = Files.writeString(bin.resolve("x"), "x");
        InMemoryOutput out = new InMemoryOutput();
        try (OpeningChild child = OpeningChild.stamping(work);
             Monitor m = Monitor.start(new RuleLoader(List.of(rules), true), out,
                     Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withPid((int) child.pid()))) {
            long pid = child.pid();
            assertThat(m.pipeline().rules().timesSet().all()).as(m.pipeline().rules().timesSet().describe()).isFalse();
            long keptBefore = m.sensors().timesFiltered();
            child.open(files);
            Recorder.Mark before = out.mark();
            child.open(List.of(stamped.toString()));
            Alert a = out.awaitAfter(before, STOMP, al -> al.event() instanceof FileEvent f && f.process().pid() == pid, WAIT);
            assertThat(a.output()).contains("file=" + stamped + " ", "mtime=2001-01-01T00:00:00Z ");
            // Counted at each call's exit, before the child answered; the sensor watches the child alone.
            assertThat(m.sensors().timesFiltered() - keptBefore).as("times set on %d work files kept in the kernel", files.size())
                    .isEqualTo(files.size());

            Files.writeString(rules.resolve("times.yaml"), """
                    - rule: Times set below work
                      desc: explicit times set below %1$s
                      condition: evt.type = utimes and fd.name startswith %1$s/
                      output: times below work (file=%%fd.name mtime=%%evt.arg.mtime)
                      priority: WARNING
                    """.formatted(work));
            RuleReloader.Result r = m.reloader().reload("test").get();
            assertThat(r.ok()).as("%s", r.errors()).isTrue();
            assertThat(r.rules().timesSet().prefixes()).contains(work + "/");
            before = out.mark();
            child.open(List.of(files.getFirst()));
            assertThat(out.awaitAfter(before, "Times set below work",
                    al -> al.event() instanceof FileEvent f && f.process().pid() == pid, WAIT).output())
                    .isEqualTo("times below work (file=" + files.getFirst() + " mtime=2001-01-01T00:00:00Z)");
        } finally {
            LiveProcesses.deleteTree(bin);
        }
    }
}
