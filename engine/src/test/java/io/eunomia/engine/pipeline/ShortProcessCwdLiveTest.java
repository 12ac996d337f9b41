package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.ExecEvent;
import io.eunomia.testkit.Recorder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * proc.cwd of a process gone before its exec is decoded (the poller is held, as in
 * PollerHold, while the act runs to its end): the cwd the kernel sensor resolved at
 * the exec, on the host and in a runc container (the container's own path), in the event and in a
 * rule's condition. Before, the process table read /proc/PID/cwd at the decode: gone, so proc.cwd
 * was "" and the cwd rule never fired. Each act is an argument-less /bin/true: a "cd" in a shell
 * that then execs it (the fork's copy of the cwd is stale), and a plain exec started in a directory.
 */
class ShortProcessCwdLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(120);  // awaits what an act causes; ends when it comes
    private static final String SEEN = "Test cwdgap exec seen";
    private static final String IN_DIR = "Test cwdgap exec in its directory";
    private static final AtomicInteger HOLDS = new AtomicInteger();

    private static Path work;
    private static Path hostDir;
    private static String ctrDir;
    private static Monitor monitor;
    private static InMemoryOutput out;
    private static ShadowBox box;

    @BeforeAll
    static void start() throws Exception {
        String tag = "cwdgap-" + ProcessHandle.current().pid();
        work = LiveProcesses.readableTempDir(Path.of("/tmp"), "eunomia-" + tag + "-");
        hostDir = Files.createDirectory(work.resolve("host-dir"));
        ctrDir = "/tmp/" + tag + "-ctr";  // a path the container has and the host has not
        Path rules = work.resolve("cwd.yaml");
        Files.writeString(rules, """
                - rule: %s
                  desc: every exec of true (the acts' pids and container tell ours apart)
                  condition: evt.type = execve and proc.name = true
                  output: "true ran (cwd=%%proc.cwd pid=%%proc.pid)"
                  priority: NOTICE
                - rule: %s
                  desc: an exec of true in the test's directories, by the process's cwd
                  condition: evt.type = execve and proc.name = true and (proc.cwd startswith %s/ or proc.cwd startswith %s/)
                  output: "true ran in a test directory (cwd=%%proc.cwd pid=%%proc.pid)"
                  priority: WARNING
                """.formatted(SEEN, IN_DIR, work, ctrDir));
        out = new InMemoryOutput();
        monitor = Monitor.start(new RuleLoader(List.of(rules), false), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o);
        box = ShadowBox.start("cwdgap", c -> { }, List.of());
        Ran mk = box.exec("mkdir", "-p", ctrDir);
        assertThat(mk.exit()).as(mk.output()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (monitor != null) {
            monitor.close();
        }
        ShadowBox.close(box);
        if (work != null) {
            LiveProcesses.deleteTree(work);
        }
    }

    @Test
    void aShellThatChangesDirectoryThenExecsOnTheHost() throws Exception {
        Recorder.Mark mark = out.mark();
        long[] pid = new long[1];
        whilePollerHeld(() -> pid[0] = runIn(Path.of("/"), "sh", "-c", "cd " + hostDir + " && exec /bin/true"));
        expectCwd(mark, a -> a.event().process().pid() == pid[0], hostDir + "/");
    }

    @Test
    void aPlainExecFromADirectoryOnTheHost() throws Exception {
        Recorder.Mark mark = out.mark();
        long[] pid = new long[1];
        whilePollerHeld(() -> pid[0] = runIn(hostDir, "/bin/true"));
        expectCwd(mark, a -> a.event().process().pid() == pid[0], hostDir + "/");
    }

    @Test
    void aShellThatChangesDirectoryThenExecsInARuncContainer() throws Exception {
        Recorder.Mark mark = out.mark();
        whilePollerHeld(() -> {
            Ran r = box.exec("sh", "-c", "cd " + ctrDir + " && exec /bin/true");
            assertThat(r.exit()).as(r.output()).isZero();
        });
        expectCwd(mark, a -> box.id().equals(a.container().id()), ctrDir + "/");
    }

    @Test
    void aPlainExecFromADirectoryInARuncContainer() throws Exception {
        Recorder.Mark mark = out.mark();
        whilePollerHeld(() -> {
            Ran r = box.execWith(List.of("--cwd", ctrDir), "/bin/true");
            assertThat(r.exit()).as(r.output()).isZero();
        });
        expectCwd(mark, a -> box.id().equals(a.container().id()), ctrDir + "/");
    }

    /**
     * The act's exec (seen by the catch-all rule, whatever its cwd) carries cwd in the event and in
     * its facts, and the cwd rule fired for the same event.
     */
    private static void expectCwd(Recorder.Mark mark, java.util.function.Predicate<Alert> ours, String cwd) throws Exception {
        Alert seen = out.awaitAfter(mark, SEEN, ours, WAIT);
        ExecEvent x = (ExecEvent) seen.event();
        assertThat(x.process().facts().cwd()).as("proc.cwd of " + x).isEqualTo(cwd);
        assertThat(x.cwd() + "/").as("the kernel's cwd at the exec").isEqualTo(cwd);
        Alert inDir = out.awaitAfter(mark, IN_DIR, ours, WAIT);
        assertThat(inDir.output()).contains("cwd=" + cwd + " ");
    }

    /** Runs cmd in dir to its end (no input, output discarded); returns its pid. */
    private static long runIn(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s ended", List.of(cmd)).isTrue();
        assertThat(p.exitValue()).isZero();
        return p.pid();
    }

    /** Runs act while the poller is held from the decode of an exec of /bin/true with a marker argument. */
    private static void whilePollerHeld(PollerHold.Act act) throws Exception {
        String marker = "cwdgap-hold-" + ProcessHandle.current().pid() + "-" + HOLDS.incrementAndGet();
        PollerHold.whileHeld(monitor.sensors(), WAIT, e -> e instanceof ExecEvent x && x.argv().contains(marker),
                List.of("/bin/true", marker), act);
    }
}
