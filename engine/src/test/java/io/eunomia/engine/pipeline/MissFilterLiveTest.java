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
 * The kernel's miss filter as monitor sets it from the rules (@missingReads): with the default pack,
 * a process probing hundreds of missing names in its working directory (git's .gitattributes
 * lookups) sends (almost) nothing into the pipeline, while its opens of missing credential files
 * still raise the pack's denial burst alert; a reload that adds a rule about failed opens below the
 * directory gets them at once. One child process, watched alone (a pid filter), does what the test
 * tells it on stdin.
 */
class MissFilterLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes
    private static final String BURST = "Repeated denied opens of sensitive files";

    private OpeningChild child;

    /** Has the child open each name read-only (relative ones in its working directory); returns once it did. */
    private void open(List<String> names) throws Exception {
        child.open(names);
    }

    @Test
    void defaultPackKeepsMissingProbesInTheKernelAndReportsTheMissesRulesName(@TempDir Path tmp) throws Exception {
        Path rules = Files.createDirectory(tmp.resolve("rules"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        List<String> probes = IntStream.range(0, 500).mapToObj(i -> "d" + (i % 50) + "/.gitattributes" + i).toList();
        child = new OpeningChild(work);
        long pid = child.pid();
        InMemoryOutput out = new InMemoryOutput();
        try (Monitor m = Monitor.start(new RuleLoader(List.of(rules), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withPid((int) pid))) {
            long acceptedBefore = m.pipeline().stats().accepted();
            open(probes);
            // Six missing credential files: the burst rule names them (@missingReads), so they come.
            Recorder.Mark before = out.mark();
            open(IntStream.range(0, 6).mapToObj(i -> "/etc/sudoers.d/eunomia-missing-" + pid + "-" + i).toList());
            Alert burst = out.awaitAfter(before, BURST, a -> a.event() instanceof FileEvent f && f.process().pid() == pid, WAIT);
            assertThat(burst.output()).contains("/etc/sudoers.d/eunomia-missing-");
            // The probes went before the burst in the same stream: had the kernel let them through, they were offered by now.
            assertThat(m.pipeline().stats().accepted() - acceptedBefore).as("events into the pipeline for %d probes", probes.size())
                    .isLessThan(50);
            assertThat(m.sensors().missesFiltered()).isGreaterThanOrEqualTo(probes.size());

            Files.writeString(rules.resolve("misses.yaml"), """
                    - rule: Missing file below work
                      desc: a failed open below %1$s
                      condition: evt.type = open and evt.failed = true and fd.name startswith %1$s/
                      output: missing below work (file=%%fd.name result=%%evt.res)
                      priority: WARNING
                    """.formatted(work));
            RuleReloader.Result r = m.reloader().reload("test").get();
            assertThat(r.ok()).as("%s", r.errors()).isTrue();
            assertThat(r.rules().missingReads().prefixes()).contains(work + "/");
            before = out.mark();
            open(List.of("d1/.gitattributes"));
            assertThat(out.awaitAfter(before, "Missing file below work",
                    a -> a.event() instanceof FileEvent f && f.process().pid() == pid, WAIT).output())
                    .isEqualTo("missing below work (file=" + work.resolve("d1/.gitattributes") + " result=ENOENT)");
        } finally {
            child.close();
        }
    }
}
