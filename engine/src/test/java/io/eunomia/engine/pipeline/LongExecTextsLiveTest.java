package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.ExecEvent;
import io.eunomia.testkit.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An exec whose texts add up past the kernel's record scratch (issue 16): a cwd of ~4 KiB, an
 * interpreter in it ({@code #!./sh}: a ~4 KiB filename), a script named by a ~4 KiB relative path
 * (an ~8 KiB absolute script path) and more than 4 KiB of argv, on the host and in a runc container.
 * Before, the string written past the scratch's offset mask wrapped over the record's header (the
 * cwd on the host, the container's root in the container): the record did not decode and the exec
 * was lost, a way to hide it from every rule. Now the exec arrives with its program, script and
 * arguments (cut, as said), the cwd is dropped (no room: unknown, said by ExecEvent.cwdDropped),
 * and the default pack's rule for the place it ran from fires for it. A rule on proc.cwd does not
 * take the dropped cwd's "" for a value: proc.cwd is absent for a process gone before its exec was
 * decoded, and /proc/PID/cwd's for one still running.
 */
@SharesLiveMonitor(SharedLiveMonitor.Configuration.DEFAULT_PACK_AND_PROBES)
class LongExecTextsLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(120);  // awaits what an act causes; ends when it comes
    private static final int CWD_LEN = 4080;       // with its NUL under the kernel walk's 4096 bytes
    private static final int COMPONENT = 200;      // a name of at most 255; 21 levels, under the walk's 48
    private static final int SCRIPT_DIRS = 20;     // the relative script path: 20 x 201 + "x.sh", under PATH_MAX
    private static final String TAG = "longexec-" + ProcessHandle.current().pid();
    private static final String CWD_KNOWN = "Test longexec cwd known";
    private static final AtomicInteger HOLDS = new AtomicInteger();

    /** Its test rule, in the shared monitor: only the execs of this JVM's scripts (TAG) whose cwd is known. */
    static final String PROBE_RULES = """
            - rule: %s
              desc: an exec of the test's scripts whose cwd is known
              condition: evt.type = execve and proc.script contains %s and proc.cwd startswith /
              output: "cwd=%%proc.cwd pid=%%proc.pid"
              priority: NOTICE
            """.formatted(CWD_KNOWN, TAG);

    private static LiveMonitor live;
    private static InMemoryOutput out;
    private static ShadowBox box;
    private static String hostTop;

    @BeforeAll
    static void start() throws Exception {
        live = LiveMonitor.sharedWithProbeRules(LongExecTextsLiveTest.class, WAIT);
        out = live.out();
        box = ShadowBox.start("longexec", c -> { }, List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        ShadowBox.close(box);  // the container's tree goes with its root file system
        if (hostTop != null) {
            // rm, not Files.walk: the tree's paths are longer than PATH_MAX
            LiveProcesses.runToEnd(List.of("rm", "-rf", "--one-file-system", hostTop));
        }
    }

    @Test
    void aLongExecFromDevShmOnTheHostArrivesAndFiresTheDevShmRule() throws Exception {
        String cwd = hostTree();

        Recorder.Mark mark = out.mark();
        Ran ran = LiveProcesses.runToEnd(act("sh", cwd, "x.sh"));
        assertThat(ran.exit()).as(ran.output()).isZero();
        expectExec(mark, "Execution from /dev/shm", cwd, "x.sh", a -> true);
    }

    /**
     * The dropped cwd is no value for a rule: absent (the proc.cwd rule stays quiet) for a process
     * gone before its exec was decoded (the poller held until it ended), /proc/PID/cwd's for one
     * still running at the decode (blocked reading its stdin), which the process table falls back to.
     */
    @Test
    void aDroppedCwdIsAbsentForAGoneProcessAndReadFromProcForALiveOne() throws Exception {
        String cwd = hostTree();

        Recorder.Mark mark = out.mark();
        long[] gone = new long[1];
        String marker = TAG + "-hold-" + HOLDS.incrementAndGet();
        live.whilePollerHeld(e -> e instanceof ExecEvent x && x.argv().contains(marker),
                List.of("/bin/true", marker), () -> {
                    Ran r = LiveProcesses.runToEnd(act("sh", cwd, "x.sh"));
                    assertThat(r.exit()).as(r.output()).isZero();
                    gone[0] = r.pid();
                });
        Process live = new ProcessBuilder(act("sh", cwd, "y.sh")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Alert known = out.awaitAfter(mark, CWD_KNOWN, a -> a.event().process().pid() == live.pid(), WAIT);
            ExecEvent y = (ExecEvent) known.event();
            assertThat(y.cwd()).as("the kernel's cwd, dropped").isEmpty();
            assertThat(y.cwdDropped()).isTrue();
            assertThat(y.process().facts().cwd()).as("proc.cwd from /proc/PID/cwd").isEqualTo(cwd + "/");
            assertThat(known.output()).contains("cwd=" + cwd + "/ ");
        } finally {
            live.getOutputStream().close();  // the script's read ends
            assertThat(live.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        // The gone one's exec came before the live one's (decoded in order), so its alerts are all in.
        Alert shm = out.awaitAfter(mark, "Execution from /dev/shm", a -> a.event().process().pid() == gone[0], WAIT);
        ExecEvent x = (ExecEvent) shm.event();
        assertThat(x.cwdDropped()).isTrue();
        assertThat(x.process().facts().cwd()).as("proc.cwd of a gone process whose cwd was dropped").isEmpty();
        assertThat(out.since(mark).stream().filter(a -> a.rule().equals(CWD_KNOWN) && a.event().process().pid() == gone[0]))
                .as("the proc.cwd rule for the gone process").isEmpty();
    }

    @Test
    void aLongExecFromTmpInARuncContainerArrivesAndFiresTheTmpRule() throws Exception {
        String cwd = deep("/tmp/" + TAG, CWD_LEN);
        Ran made = box.exec("sh", "-c", SETUP, "sh", cwd, relativeScriptDir());
        assertThat(made.exit()).as(made.output()).isZero();

        Recorder.Mark mark = out.mark();
        Ran ran = box.exec(act("sh", cwd, "x.sh").toArray(String[]::new));
        assertThat(ran.exit()).as(ran.output()).isZero();
        expectExec(mark, "Execution from /tmp in container", cwd, "x.sh", a -> box.id().equals(a.container().id()));
    }

    /**
     * Makes $1 (the cwd), busybox in it as ./sh, and the scripts $2/x.sh (ends at once) and $2/y.sh
     * (reads a line from its stdin first), relative to $1, run by #!./sh.
     */
    private static final String SETUP = """
            set -e
            mkdir -p "$1"
            cd "$1"
            cp /bin/busybox sh
            mkdir -p "$2"
            printf '#!./sh\\nexit 0\\n' > "$2/x.sh"
            printf '#!./sh\\nread line\\n' > "$2/y.sh"
            chmod +x "$2/x.sh" "$2/y.sh"
            """;

    /** The host's tree (SETUP) below /dev/shm; returns its cwd. */
    private static String hostTree() throws Exception {
        hostTop = "/dev/shm/eunomia-" + TAG;
        String cwd = deep(hostTop, CWD_LEN);
        Ran made = LiveProcesses.runToEnd(List.of("sh", "-c", SETUP, "sh", cwd, relativeScriptDir()));
        assertThat(made.exit()).as(made.output()).isZero();
        return cwd;
    }

    /** A shell that enters cwd and execs the script by its relative path with two more 100-byte arguments. */
    private static List<String> act(String shell, String cwd, String script) {
        return List.of(shell, "-c", "cd \"$1\" && exec \"$2/$4\" \"$3\" \"$3\"", "sh", cwd, relativeScriptDir(),
                "a".repeat(100), script);
    }

    /**
     * The exec of the script arrives (its rule fired for it) with the program (the ~4 KiB ./sh path)
     * and the ~8 KiB script whole, argv cut at the kernel's 4 KiB, and no cwd: the texts before it
     * filled the record, so the kernel left it out rather than overwrite the record.
     */
    private static void expectExec(Recorder.Mark mark, String rule, String cwd, String name, java.util.function.Predicate<Alert> where)
            throws Exception {
        String exe = cwd + "/sh";
        String script = cwd + "/" + relativeScriptDir() + "/" + name;
        Alert alert = out.awaitAfter(mark, rule,
                where.and(a -> a.event() instanceof ExecEvent x && x.exe().equals(exe)), WAIT);
        ExecEvent x = (ExecEvent) alert.event();
        assertThat(x.script()).as("proc.script").isEqualTo(script);
        assertThat(x.argvTruncated()).as("argv cut at 4 KiB").isTrue();
        assertThat(x.argv()).as("argv").startsWith("./sh", relativeScriptDir() + "/x.sh");
        assertThat(x.argc()).isEqualTo(4);
        assertThat(x.cwd()).as("the cwd, which the record had no room for").isEmpty();
        assertThat(x.cwdDropped()).as("said to be dropped, not absent").isTrue();
        // /proc/PID/cwd's when the process was still there at the decode, never the fork's stale copy
        assertThat(x.process().facts().cwd()).as("proc.cwd").isIn("", cwd + "/");
    }

    /** top, then names of COMPONENT characters and two shorter ones, to exactly len characters. */
    private static String deep(String top, int len) {
        StringBuilder p = new StringBuilder(top);
        while (len - p.length() > 2 * COMPONENT) {
            p.append('/').append("d".repeat(COMPONENT));
        }
        int rest = len - p.length();
        p.append('/').append("d".repeat(rest / 2 - 1)).append('/').append("e".repeat(rest - rest / 2 - 1));
        return p.toString();
    }

    private static String relativeScriptDir() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < SCRIPT_DIRS; i++) {
            names.add("s".repeat(COMPONENT));
        }
        return String.join("/", names);
    }
}
