package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.FileEvent;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Runc;
import java.time.Duration;
import java.util.List;

/** Runs an act (a shell command) on the host or in a runc container and waits for the alert it must raise. */
final class AlertsOfActs {
    static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    private AlertsOfActs() {}

    /** The alert of rule for cmd run on the host (its process keeps the pid through sh's and unshare's execs). */
    static Alert onHost(InMemoryOutput out, String rule, String expected, String cmd) throws Exception {
        Recorder.Mark mark = out.mark();
        Ran r = LiveProcesses.runToEnd(List.of("sh", "-c", cmd));
        assertThat(r.exit()).as(r.output()).isZero();
        return out.awaitAfter(mark, rule, a -> a.event().process().pid() == r.pid() && a.output().contains(expected), WAIT);
    }

    /** The alert of rule for cmd run by runc exec (with options) in container id. */
    static Alert inContainer(InMemoryOutput out, Runc runc, String id, List<String> options, String rule, String expected,
                             String cmd) throws Exception {
        Recorder.Mark mark = out.mark();
        Ran r = LiveProcesses.runcExec(runc, id, options, "sh", "-c", cmd);
        assertThat(r.exit()).as(r.output()).isZero();
        return out.awaitAfter(mark, rule, a -> a.container().id().equals(id) && a.output().contains(expected), WAIT);
    }

    /** The name a file was opened by when it is not the one rules know it by (fd.opened_as). */
    static String openedAs(Alert a) {
        return ((FileEvent) a.event()).newPath();
    }
}
