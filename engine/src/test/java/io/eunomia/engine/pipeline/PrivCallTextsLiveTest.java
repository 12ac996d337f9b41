package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.LiveProcesses.runToEnd;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.SyscallEvent;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TOCTOU of a setuid chmod (issue 16; priv.bpf.c put_call_text): a chmod 4755 whose path the caller
 * rewrites to a decoy while the call waits for the file's inode lock (evade.c chmod-flip; the kernel
 * copied the path at entry) still raises the default pack's `Set setuid or setgid bit` naming the
 * file really made setuid, and `Path argument rewritten during call` from the privilege sensor's
 * record, on the host and in a runc container. The same for a mount of proc whose type the caller
 * rewrites to "tmpfs" while the kernel, which copied the type, waits for the source (evade.c
 * mount-textflip): the alerts name the type the kernel mounted, proc.
 */
@SharesLiveMonitor
class PrivCallTextsLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String SUID = "Set setuid or setgid bit";
    private static final String REWRITTEN = "Path argument rewritten during call";
    // a proc mount in a container is the CRITICAL one (the WARNING "Mount or namespace change in container" leaves it)
    private static final String MOUNT_IN_CONTAINER = "Sensitive filesystem mounted in a container";

    // CAP_SYS_PTRACE on top of runc's defaults: a userfaultfd that handles the kernel's own faults; CAP_SYS_ADMIN: mount.
    @RegisterExtension
    static final LiveEvasion RIG = LiveEvasion.of("privtexts", List.of("CAP_SYS_PTRACE", "CAP_SYS_ADMIN"), WAIT);

    @Test
    void aSetuidChmodWhosePathWasRewrittenDuringTheCallOnTheHost() throws Exception {
        Path real = Files.writeString(RIG.work().resolve("suid-real"), "x");
        Path decoy = Files.writeString(RIG.work().resolve("suid-decoy"), "x");
        Recorder.Mark mark = RIG.out().mark();
        Ran r = runToEnd(List.of(RIG.hostProbe().toString(), "chmod-flip", "chmod", real.toString(), decoy.toString()));
        assertThat(r.output()).as("the probe's own result").contains(": 0");
        assertThat((Integer) Files.getAttribute(real, "unix:mode") & 07777).as(r.output()).isEqualTo(04755);
        Predicate<Alert> mine = x -> x.event().process().pid() == r.pid() && x.container().isHost();
        expectBoth(mark, mine, real.toString());
    }

    @Test
    void aSetuidChmodWhosePathWasRewrittenDuringTheCallInAContainer() throws Exception {
        String real = "/eunomia-suid-real";
        Ran made = RIG.box().exec("sh", "-c", "echo x > " + real + " && echo x > /eunomia-suid-decoy");
        assertThat(made.exit()).as(made.output()).isZero();
        Recorder.Mark mark = RIG.out().mark();
        Ran r = RIG.box().exec(EvadeBox.BOX_PROBE, "chmod-flip", "chmod", real, "/eunomia-suid-decoy");
        assertThat(r.output()).as("the probe's own result").contains(": 0");
        Ran mode = RIG.box().exec("stat", "-c", "%a", real);
        assertThat(mode.output().strip()).as("the kernel used the text it copied").isEqualTo("4755");
        expectBoth(mark, x -> x.container().id().equals(RIG.box().id()), real);
        RIG.box().exec("rm", "-f", real, "/eunomia-suid-decoy");
    }

    @Test
    void aProcMountWhoseTypeWasRewrittenDuringTheCallOnTheHost() throws Exception {
        Path target = Files.createDirectories(RIG.work().resolve("proc-target"));
        Recorder.Mark mark = RIG.out().mark();
        Ran r = runToEnd(List.of(RIG.hostProbe().toString(), "mount-textflip", "source", "type", "tmpfs", "proc", target.toString(), "proc"));
        try {
            assertThat(r.output()).as("the probe's own result").contains(": 0");
            assertThat(Files.exists(target.resolve("self/status"))).as("the kernel mounted the type it copied: %s", r.output()).isTrue();
            Predicate<Alert> mine = x -> x.event().process().pid() == r.pid() && x.container().isHost();
            Alert flagged = RIG.out().awaitAfter(mark, REWRITTEN, mine, WAIT);
            assertThat(flagged.output()).contains("op=mount ", "target=" + target + " ", "fstype=proc ", "process=evade");
        } finally {
            Ran u = runToEnd(List.of("umount", target.toString()));
            assertThat(u.exit()).as(u.output()).isZero();
        }
    }

    @Test
    void aProcMountWhoseTypeWasRewrittenDuringTheCallInAContainer() throws Exception {
        Ran made = RIG.box().exec("mkdir", "-p", "/eunomia-proc");
        assertThat(made.exit()).as(made.output()).isZero();
        Recorder.Mark mark = RIG.out().mark();
        Ran r = RIG.box().exec(EvadeBox.BOX_PROBE, "mount-textflip", "source", "type", "tmpfs", "proc", "/eunomia-proc", "proc");
        try {
            assertThat(r.output()).as("the probe's own result").contains(": 0");
            Ran status = RIG.box().exec("test", "-e", "/eunomia-proc/self/status");
            assertThat(status.exit()).as("the kernel mounted the type it copied: %s", r.output()).isZero();
            Predicate<Alert> mine = x -> x.container().id().equals(RIG.box().id()) && x.event() instanceof SyscallEvent s
                    && s.syscall().equals("mount");
            Alert mounted = RIG.out().awaitAfter(mark, MOUNT_IN_CONTAINER, mine, WAIT);
            assertThat(mounted.output()).as("the type the kernel mounted, not the decoy")
                    .contains("call=mount ", "source=proc ", "target=/eunomia-proc ", "fstype=proc ", "process=evade");
            Alert flagged = RIG.out().awaitAfter(mark, REWRITTEN, mine, WAIT);
            assertThat(flagged.output()).contains("op=mount ", "fstype=proc ", "process=evade");
        } finally {
            Ran u = RIG.box().exec("umount", "/eunomia-proc");
            assertThat(u.exit()).as(u.output()).isZero();
        }
    }

    private static void expectBoth(Recorder.Mark mark, Predicate<Alert> mine, String real) throws Exception {
        Alert suid = RIG.out().awaitAfter(mark, SUID, mine.and(x -> x.event() instanceof SyscallEvent), WAIT);
        assertThat(suid.output()).as("the file the kernel made setuid, not the decoy")
                .contains("call=chmod ", "file=" + real + " ", "mode=04755 ", "process=evade");
        // the privilege sensor's record (the file sensor reports the chmod too)
        Alert flagged = RIG.out().awaitAfter(mark, REWRITTEN, mine.and(x -> x.event() instanceof SyscallEvent), WAIT);
        assertThat(flagged.output()).contains("op=chmod ", "arg_path=" + real + " ", "process=evade");
    }
}
