package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.LiveProcesses.runToEnd;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TOCTOU of a path call (issue 16; README, Evasion routes): a rename or a link into /etc whose
 * second path the caller rewrites to a benign one after the kernel copied it (evade.c path-flip: the
 * first path lies in a userfaultfd page, which the kernel reads after the second) still raises the
 * default pack's `Write below system directory`, naming the /etc path the kernel used, and
 * `Path argument rewritten during call` (the flip itself), on the host and in a runc container; and a
 * path in a page never touched (read at exit only) still raises the first.
 */
@SharesLiveMonitor
class PathCallTextsLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String WRITE = "Write below system directory";
    /** The default rule on fd.text_changed: the flip itself is an alert. */
    private static final String REWRITTEN = "Path argument rewritten during call";

    // CAP_SYS_PTRACE on top of runc's defaults: a userfaultfd that handles the kernel's own faults.
    @RegisterExtension
    static final LiveEvasion RIG = LiveEvasion.of("pathtexts", List.of("CAP_SYS_PTRACE"), WAIT);

    @Test
    void aRenameOrLinkIntoEtcWhoseTextWasRewrittenDuringTheCallOnTheHost() throws Exception {
        for (String call : List.of("rename", "link")) {
            Path old = Files.writeString(RIG.work().resolve(call + "-old"), "x");
            Path etc = Path.of("/etc/eunomia-toctou-" + call + "-" + ProcessHandle.current().pid());
            try {
                Recorder.Mark mark = RIG.out().mark();
                Ran r = runToEnd(List.of(RIG.hostProbe().toString(), "path-flip", call, old.toString(), etc.toString(),
                        RIG.work().resolve(call + "-benign").toString()));
                assertThat(r.output()).as("the probe's own result").contains(": 0");
                assertThat(Files.exists(etc)).as("the kernel used the text it copied: %s", r.output()).isTrue();
                Alert a = RIG.out().awaitAfter(mark, WRITE, x -> x.event().process().pid() == r.pid() && x.container().isHost()
                        && x.output().contains("new=" + etc + " "), WAIT);
                assertThat(a.output()).as(call).contains("op=" + call + " ", "file=" + old + " ", "process=evade");
                Alert flagged = RIG.out().awaitAfter(mark, REWRITTEN, x -> x.event().process().pid() == r.pid()
                        && x.container().isHost(), WAIT);
                assertThat(flagged.output()).as(call).contains("op=" + call + " ", "new=" + etc + " ", "process=evade");
            } finally {
                Files.deleteIfExists(etc);
            }
        }
    }

    @Test
    void aRenameOrLinkIntoEtcWhoseTextWasRewrittenDuringTheCallInAContainer() throws Exception {
        for (String call : List.of("rename", "link")) {
            String old = "/eunomia-" + call + "-old";
            String etc = "/etc/eunomia-toctou-" + call;
            Ran made = RIG.box().exec("sh", "-c", "echo x > " + old);
            assertThat(made.exit()).as(made.output()).isZero();
            Recorder.Mark mark = RIG.out().mark();
            Ran r = RIG.box().exec(EvadeBox.BOX_PROBE, "path-flip", call, old, etc, "/eunomia-" + call + "-benign");
            assertThat(r.output()).as("the probe's own result").contains(": 0");
            Alert a = RIG.out().awaitAfter(mark, WRITE, x -> x.container().id().equals(RIG.box().id())
                    && x.output().contains("new=" + etc + " "), WAIT);
            assertThat(a.output()).as(call).contains("op=" + call + " ", "file=" + old + " ", "process=evade");
            Alert flagged = RIG.out().awaitAfter(mark, REWRITTEN, x -> x.container().id().equals(RIG.box().id())
                    && x.output().contains("new=" + etc + " "), WAIT);
            assertThat(flagged.output()).as(call).contains("op=" + call + " ", "process=evade");
            Ran there = RIG.box().exec("ls", etc);
            assertThat(there.exit()).as("the kernel used the text it copied: %s", there.output()).isZero();
            RIG.box().exec("rm", "-f", etc, old);
        }
    }

    /** Paths the entry could not read (a file mapping never touched) are read at exit, as before. */
    @Test
    void pathsInPagesNeverTouchedAreStillReportedOnTheHostAndInAContainer() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        for (boolean host : List.of(true, false)) {
            String etc = "/etc/eunomia-cold-" + pid;
            String from = host ? RIG.work().resolve("cold-from").toString() : "/eunomia-cold-from";
            String probe = host ? RIG.hostProbe().toString() : EvadeBox.BOX_PROBE;
            if (host) {
                Files.writeString(Path.of(from), "x");
            } else {
                RIG.box().exec("sh", "-c", "echo x > " + from);
            }
            Alert renamed = act(host, WRITE, "new=" + etc + " ", probe, "path-cold", "rename", from, etc);
            assertThat(renamed.output()).contains("op=rename ", "file=" + from + " ");
            Alert unlinked = act(host, WRITE, "file=" + etc + " ", probe, "path-cold", "unlink", etc);
            assertThat(unlinked.output()).contains("op=unlink ", "result=SUCCESS");
        }
    }

    private static Alert act(boolean host, String rule, String part, String... cmd) throws Exception {
        Recorder.Mark mark = RIG.out().mark();
        Ran r = host ? runToEnd(List.of(cmd)) : RIG.box().exec(cmd);
        assertThat(r.output()).as("the probe's own result").contains(": 0");
        return RIG.out().awaitAfter(mark, rule, x -> (host ? x.event().process().pid() == r.pid() && x.container().isHost()
                : x.container().id().equals(RIG.box().id())) && x.output().contains(part), WAIT);
    }
}
