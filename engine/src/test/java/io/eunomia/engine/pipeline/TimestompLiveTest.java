package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Timestomping (T1070.006) on the host under the whole default pack: coreutils touch -d sets a file's
 * times through futimens on the file it opened, which "File timestamps set on a system file" reports
 * below /usr/local/bin; touch without -d (times set to now) and touch -d on a file in /tmp do not.
 * Negatives first, the positive last: once its alert arrives the negatives' events have been judged.
 */
@SharesLiveMonitor
class TimestompLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes
    private static final String RULE = "File timestamps set on a system file";

    private static LiveMonitor live;
    private static InMemoryOutput out;
    /** A scratch directory of this test's own below /usr/local/bin, and one in /tmp. */
    private static Path binDir;
    private static Path tmpDir;

    @BeforeAll
    static void start() throws Exception {
        live = LiveMonitor.sharedDefaultPack(TimestompLiveTest.class, WAIT);
        out = live.out();
        binDir = Files.createTempDirectory(Path.of("/usr/local/bin"), "eunomia-ts-");
        tmpDir = Files.createTempDirectory("eunomia-ts-");
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        for (Path d : new Path[] {binDir, tmpDir}) {
            if (d != null) {
                LiveProcesses.deleteTree(d);
            }
        }
    }

    private static LiveProcesses.Ran run(String... cmd) throws Exception {
        LiveProcesses.Ran r = LiveProcesses.runToEnd(List.of(cmd));
        assertThat(r.exit()).as("%s: %s", List.of(cmd), r.output()).isZero();
        return r;
    }

    @Test
    void touchWithAGivenDateBelowUsrLocalBinIsAnAlertNowAndTmpAreNot() throws Exception {
        String x = binDir.resolve("x").toString();
        String t = tmpDir.resolve("x").toString();
        var start = out.mark();
        run("touch", x, t);                                   // created: times now
        LiveProcesses.Ran now = run("touch", x);              // times set to now
        LiveProcesses.Ran inTmp = run("env", "TZ=UTC0", "touch", "-d", "2001-01-01", t);
        LiveProcesses.Ran stomp = run("env", "TZ=UTC0", "touch", "-d", "2001-01-01", x);

        Alert a = out.awaitAfter(start, RULE, al -> al.output().contains("pid=" + stomp.pid() + " "), WAIT);
        assertThat(a.output()).contains("file=" + x + " ", "mtime=2001-01-01T00:00:00Z ", "atime=2001-01-01T00:00:00Z ",
                "syscall=utimensat ", "process=touch");
        assertThat(a.tags()).contains("T1070.006");
        assertThat(Files.getLastModifiedTime(Path.of(x)).toInstant().toString()).startsWith("2001-01-01");
        // Each touch's events came before the stomp's: judged by now.
        assertThat(out.since(start)).filteredOn(al -> al.rule().equals(RULE))
                .noneMatch(al -> al.output().contains("pid=" + now.pid() + " ") || al.output().contains("pid=" + inTmp.pid() + " ")
                        || al.output().contains("file=" + t + " "));
    }
}
