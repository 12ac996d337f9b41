package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.WEB;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.SyscallEvent;
import io.eunomia.rules.RuleBase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default pack's `Path argument rewritten during call` (30-files.yaml) on constructed events:
 * it fires on a file event or an xattr event whose path the caller rewrote during the call
 * (fd.text_changed), and on nothing else. The live route is {@link PathCallTextsLiveTest}'s.
 */
class PathRewriteRuleTest {
    private static final String RULE = "Path argument rewritten during call";
    private static RuleBase pack;

    @BeforeAll
    static void load() throws Exception {
        pack = new RuleLoader(List.of(), true).load();
    }

    private static List<Alert> run(Event... events) throws Exception {
        return TestEvents.replay(pack, List.of(events));
    }

    private static FileEvent rename(int pid, boolean changed) {
        return new FileEvent(T0 + pid, TestEvents.proc(pid, "mv", WEB), FileOp.RENAME, "rename", "/tmp/a", "/tmp/b", 0, -1, -1, -1,
                0, false, "", "", changed);
    }

    private static SyscallEvent setxattr(int pid, Map<String, Long> extra) {
        Map<String, Long> args = new java.util.LinkedHashMap<>(Map.of("size", 7L, "flags", 0L));
        args.putAll(extra);
        return new SyscallEvent(T0 + pid, TestEvents.proc(pid, "attr", WEB), "setxattr", 188, args,
                Map.of("path", "/tmp/f", "name", "trusted.x", "acl", ""), 0);
    }

    @Test
    void aPathRewrittenDuringAFileCallOrAnXattrCallIsAnAlert() throws Exception {
        List<Alert> file = run(rename(10, true));
        assertThat(file).extracting(Alert::rule).containsExactly(RULE);
        assertThat(file.getFirst().output()).contains("op=rename ", "file=/tmp/a ", "new=/tmp/b ", "process=mv", "container=web");
        List<Alert> xattr = run(setxattr(11, Map.of(SyscallEvent.TEXT_CHANGED, 1L)));
        assertThat(xattr).extracting(Alert::rule).containsExactly(RULE);
        assertThat(xattr.getFirst().output()).contains("op=setxattr ", "xattr_file=/tmp/f ", "attr=trusted.x ", "process=attr");
    }

    @Test
    void callsWhosePathsStayedTheSameAreQuiet() throws Exception {
        assertThat(run(rename(12, false), setxattr(13, Map.of()), TestEvents.open(T0, 14, "cat", "/tmp/a"))).isEmpty();
    }
}
