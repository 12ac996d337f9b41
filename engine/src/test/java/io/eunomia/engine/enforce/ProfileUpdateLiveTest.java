package io.eunomia.engine.enforce;

import static io.eunomia.engine.enforce.EnforcingCli.rule;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.engine.enforce.ProfileFixtures.Learned;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Complain-then-accept: {@code eunomia enforce --mode monitor --update} writes a violation into the
 * profile file (atomically) and accepts it from then on: the next run of the same variant raises
 * nothing (shown with a sentinel after it).
 */
class ProfileUpdateLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    private static Path dir;
    private static Runc runc;
    private static Learned learned;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("eunomia-update-");
        runc = new Runc();
        learned = ProfileFixtures.learned(runc);
    }

    @AfterAll
    static void stop() {
        if (runc != null) {
            runc.close();
        }
        Cleanup.unmountAndDelete(dir);
    }

    @Test
    void aViolationIsWrittenIntoTheProfileAndNotReportedAgain() throws Exception {
        Path profile = dir.resolve("web.yaml");
        Files.copy(learned.file(), profile, StandardCopyOption.REPLACE_EXISTING);
        assertThat(ProfileFiles.read(profile).arch(Arch.X86_64).workload()).doesNotContainKey("mknodat");
        String name = learned.container();
        String variant = ProfileFixtures.BASE + " && mkfifo /tmp/w/p && echo finished";
        try (EnforcingCli cli = EnforcingCli.start("enforce", "--mode", "monitor", "--update", "--profile", profile.toString())) {
            Recorder.Mark start = cli.mark();
            Result r = runc.run(name, ProfileFixtures.spec("sh", "-c", variant), Duration.ofSeconds(30));
            assertThat(r.stdout()).as(r.toString()).contains("finished");
            cli.await(start, a -> rule("Syscall outside learned profile", name).test(a) && a.path("output").asText().contains("syscall=mknodat"), WAIT);
            Profile updated = awaitProfile(profile);
            assertThat(updated.metadata().name()).isEqualTo(name);
            assertThat(updated.arch(Arch.X86_64).workload()).containsKey("mknodat");
            assertThat(updated.arch(Arch.X86_64).workload()).containsAllEntriesOf(learned.profile().arch(Arch.X86_64).workload());
            try (var files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("no temporary file left").noneMatch(f -> f.endsWith(".tmp"));
            }

            // Accepted: the same variant again, then a sentinel (an unlearned exec in a container of its own name).
            Recorder.Mark mark = cli.mark();
            r = runc.run(name, ProfileFixtures.spec("sh", "-c", variant + "; /probe say sentinel"), Duration.ofSeconds(30));
            assertThat(r.stdout()).as(r.toString()).contains("sentinel");
            var sentinel = cli.await(mark, a -> rule("Unlearned executable", name).test(a) && a.path("output").asText().contains("exe=/probe"), WAIT);
            // A second sentinel, a path never seen (the first one is accepted by now): the first one's
            // batch is out (alerts of a batch come in any order).
            Recorder.Mark second = cli.mark();
            r = runc.run(name, ProfileFixtures.spec("sh", "-c", "cp /probe /tmp/s2 && /tmp/s2 say again"), Duration.ofSeconds(30));
            assertThat(r.stdout()).as(r.toString()).contains("again");
            cli.await(second, a -> rule("Unlearned executable", name).test(a) && a.path("output").asText().contains("exe=/tmp/s2"), WAIT);
            var all = cli.alerts().subList(mark.position(), cli.alerts().indexOf(sentinel) + 1);
            assertThat(all).noneSatisfy(a -> assertThat(a.path("output").asText()).contains("syscall=mknodat"));
        }
        // what was accepted stays accepted: the file reads back
        assertThat(ProfileFiles.read(profile).arch(Arch.X86_64).workload()).containsKey("mknodat");
    }

    private static Profile awaitProfile(Path file) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Profile p = ProfileFiles.read(file);
            if (p.arch(Arch.X86_64).workload().containsKey("mknodat") || System.nanoTime() > deadline) {
                return p;
            }
            Thread.sleep(100);
        }
    }
}
