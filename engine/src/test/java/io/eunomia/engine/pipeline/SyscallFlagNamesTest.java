package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.WEB;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SyscallEvent;
import io.eunomia.rules.RuleBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A YAML rule searches unshare's flags, setns's nstype and open_tree's flags by the names the uapi
 * (and Falco) give them, as it does mount's (evt.arg.flags contains MS_REMOUNT): the rules compiled
 * from YAML run through the pipeline on events shaped as the privilege sensor reports them.
 */
class SyscallFlagNamesTest {
    private static final long CLONE_NEWNS = 0x20000;
    private static final long CLONE_NEWNET = 0x40000000;
    private static final long CLONE_NEWUSER = 0x10000000;
    private static final long OPEN_TREE_CLONE = 1;
    private static final long AT_RECURSIVE = 0x8000;
    private static final long OPEN_TREE_CLOEXEC = 0x80000;
    private static final ProcessInfo SH = new ProcessInfo(40, 40, 1, 0, 0, 0, 0, "sh", 4026532400L, 2, 4026532500L, 1, WEB);
    private static RuleBase rules;

    @BeforeAll
    static void load(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("flags.yaml"), """
                - rule: New mount namespace
                  desc: unshare of the mount namespace
                  condition: evt.type = unshare and evt.arg.flags contains CLONE_NEWNS
                  output: "unshare (flags=%evt.arg.flags)"
                  priority: NOTICE
                - rule: Joined a mount namespace
                  desc: setns into a mount namespace by its type
                  condition: evt.type = setns and evt.arg.nstype contains CLONE_NEWNS
                  output: "setns (nstype=%evt.arg.nstype)"
                  priority: NOTICE
                - rule: Recursive bind
                  desc: open_tree cloning a whole tree
                  condition: evt.type = open_tree and evt.arg.flags contains OPEN_TREE_CLONE and evt.arg.flags contains AT_RECURSIVE
                  output: "open_tree (flags=%evt.arg.flags)"
                  priority: NOTICE
                """);
        rules = new RuleLoader(List.of(file), false).load();
    }

    private static List<String> fire(String syscall, String arg, long value) throws Exception {
        SyscallEvent e = new SyscallEvent(T0, SH, syscall, 0, Map.of(arg, value), Map.of(), 0);
        return TestEvents.replay(rules, List.of(e)).stream().map(Alert::rule).toList();
    }

    @Test
    void unshareFlagsByName() throws Exception {
        assertThat(fire("unshare", "flags", CLONE_NEWNS)).containsExactly("New mount namespace");
        assertThat(fire("unshare", "flags", CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET)).containsExactly("New mount namespace");
        assertThat(fire("unshare", "flags", CLONE_NEWNET)).isEmpty();
    }

    @Test
    void setnsNamespaceTypeByName() throws Exception {
        assertThat(fire("setns", "nstype", CLONE_NEWNS)).containsExactly("Joined a mount namespace");
        assertThat(fire("setns", "nstype", CLONE_NEWNET)).isEmpty();
        assertThat(fire("setns", "nstype", 0)).isEmpty();  // any type: the namespace file decides, no name
    }

    @Test
    void openTreeFlagsByName() throws Exception {
        assertThat(fire("open_tree", "flags", OPEN_TREE_CLONE | AT_RECURSIVE | OPEN_TREE_CLOEXEC)).containsExactly("Recursive bind");
        assertThat(fire("open_tree", "flags", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)).isEmpty();
    }
}
