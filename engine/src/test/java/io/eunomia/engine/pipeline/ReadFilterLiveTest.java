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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's read filter as monitor sets it from the rules: with the default pack, a process
 * reading a thousand library files sends (almost) nothing into the pipeline while its read of
 * /etc/shadow still alerts; a reload that adds a rule reading another directory gets those reads
 * at once, and a reload that drops it filters them again. One child process, watched alone (a pid
 * filter), does what the test tells it on stdin.
 */
class ReadFilterLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final Path SHADOW = Path.of("/etc/shadow");
    private static final Path GSHADOW = Path.of("/etc/gshadow");

    private OpeningChild child;

    /** Has the child open each path read-only; returns once it did. */
    private void read(Path... paths) throws Exception {
        child.open(Stream.of(paths).map(Path::toString).toList());
    }

    /** The alert of the rule for the child's read of file, raised after the mark. */
    private static Alert await(InMemoryOutput out, Recorder.Mark after, String rule, long pid, Path file)
            throws InterruptedException {
        return out.awaitAfter(after, rule, a -> a.event() instanceof FileEvent f && f.process().pid() == pid
                && f.path().equals(file.toString()), WAIT);
    }

    @Test
    void defaultPackFiltersOrdinaryReadsAndReloadsWidenAndNarrowTheFilter(@TempDir Path tmp) throws Exception {
        Path rules = Files.createDirectory(tmp.resolve("rules"));
        Path secret = Files.createTempDirectory(Files.createDirectories(Path.of("/opt")), "secret-");
        Path x = Files.writeString(secret.resolve("x"), "s");
        List<Path> libraries;
        try (Stream<Path> files = Files.walk(Path.of("/usr/lib"))) {
            libraries = files.filter(Files::isRegularFile).filter(Files::isReadable).limit(1000).toList();
        }
        assertThat(libraries).hasSizeGreaterThan(500);
        child = new OpeningChild(null);
        long pid = child.pid();
        InMemoryOutput out = new InMemoryOutput();
        List<String> secretReads = new CopyOnWriteArrayList<>();
        try (Monitor m = Monitor.start(new RuleLoader(List.of(rules), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withPid((int) pid))) {
            assertThat(m.startup().fileReads().all()).as(m.startup().fileReads().describe()).isFalse();
            m.sensors().subscribe(e -> e instanceof FileEvent f && f.path().startsWith(secret.toString()),
                    e -> secretReads.add(((FileEvent) e).path()));

            Recorder.Mark before = out.mark();
            read(libraries.toArray(Path[]::new));
            read(SHADOW);
            assertThat(await(out, before, "Read sensitive file", pid, SHADOW).output()).contains("file=/etc/shadow");
            long offered = m.pipeline().stats().accepted();
            assertThat(offered).as("events into the pipeline for %d reads", libraries.size()).isLessThan(20);
            assertThat(m.sensors().readsFiltered()).isGreaterThanOrEqualTo(libraries.size());

            // No rule reads the secret yet: its read stays in the kernel. The gshadow read after it in
            // the same stream is the barrier: once its alert is here, the secret's read, had the
            // kernel let it through, would have reached the subscriber too.
            before = out.mark();
            read(x, GSHADOW);
            await(out, before, "Read sensitive file", pid, GSHADOW);
            assertThat(secretReads).isEmpty();

            Files.writeString(rules.resolve("secret.yaml"), """
                    - rule: Secret read
                      desc: a read below %1$s
                      condition: evt.type = open and fd.name startswith %1$s/
                      output: secret read (file=%%fd.name)
                      priority: WARNING
                    """.formatted(secret));
            RuleReloader.Result r = m.reloader().reload("test").get();
            assertThat(r.ok()).as("%s", r.errors()).isTrue();
            assertThat(r.rules().fileReads().prefixes()).contains(secret + "/");
            before = out.mark();
            read(x);
            assertThat(await(out, before, "Secret read", pid, x).output()).isEqualTo("secret read (file=" + x + ")");

            // Dropped again: so are its reads.
            Files.delete(rules.resolve("secret.yaml"));
            assertThat(m.reloader().reload("test").get().ok()).isTrue();
            int secretReadsBefore = secretReads.size();
            before = out.mark();
            read(x, SHADOW);
            await(out, before, "Read sensitive file", pid, SHADOW);
            assertThat(secretReads).hasSize(secretReadsBefore);
            assertThat(out.since(before)).extracting(Alert::rule).doesNotContain("Secret read");
        } finally {
            child.close();
            Files.deleteIfExists(x);
            Files.deleteIfExists(secret);
        }
    }
}
