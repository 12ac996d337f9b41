package io.eunomia.engine.pipeline;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "Memory of another process read or written" (40-privilege.yaml) under the whole default pack in a
 * live monitor: evade.c's vmread/vmwrite copy 16 bytes of a real forked child's memory with
 * process_vm_readv/writev, in a runc busybox container and on the host. A process reading its own
 * memory, CRIU (the probe under that name) and, on the host only, a debugger's name raise nothing. Negatives first, the positive last:
 * once the positive's alert arrives the negatives' earlier events have been judged.
 */
@SharesLiveMonitor
class ProcessMemoryLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String RULE = "Memory of another process read or written";
    private static final String PROCFS_RULE = "Memory of another process read via procfs";
    private static final Pattern PRINTED = Pattern.compile("target (\\d+) result (-?\\d+) data (\\S+)");

    @RegisterExtension
    static final LiveEvasion RIG = LiveEvasion.of("procmem", List.of(), WAIT);

    /** The target pid the probe printed (as its pid namespace numbers it), checking the call copied 16 bytes. */
    private static long target(Ran r) {
        Matcher m = PRINTED.matcher(r.output());
        assertThat(m.find()).as("probe output: %s", r.output()).isTrue();
        assertThat(m.group(2)).as(r.output()).isEqualTo("16");
        return Long.parseLong(m.group(1));
    }

    private static List<Alert> alerts(Recorder.Mark since) {
        return RIG.out().since(since).stream().filter(a -> a.rule().equals(RULE)).toList();
    }

    @Test
    void containerProcessReadingAnotherProcessesMemoryButNotItsOwn() throws Exception {
        Recorder.Mark mark = RIG.out().mark();
        String box = RIG.box().id();
        Ran self = RIG.box().exec(EvadeBox.BOX_PROBE, "vmread", "self");
        assertThat(self.exit()).as(self.output()).isZero();
        target(self);
        Ran read = RIG.box().exec(EvadeBox.BOX_PROBE, "vmread", "child");
        assertThat(read.exit()).as(read.output()).isZero();
        long child = target(read);
        Alert a = RIG.out().awaitAfter(mark, RULE, x -> x.container().id().equals(box), WAIT);
        assertThat(a.output()).contains("call=process_vm_readv", "target_pid=" + child + " ", "result=SUCCESS", "process=evade",
                "container=");
        assertThat(a.tags()).contains("T1003.007", "T1055");
        // Debuggers are excepted on hosts only: in a container a tool named strace is no excuse.
        LiveProcesses.readable(Files.copy(RIG.hostProbe(), RIG.work().resolve("strace")));
        Ran named = RIG.box().exec("/opt/evade/strace", "vmread", "child");
        assertThat(named.exit()).as(named.output()).isZero();
        long namedChild = target(named);
        Alert b = RIG.out().awaitAfter(mark, RULE, x -> x.container().id().equals(box) && x.output().contains("process=strace"), WAIT);
        assertThat(b.output()).contains("target_pid=" + namedChild + " ");
        assertThat(alerts(mark)).filteredOn(x -> x.container().id().equals(box)).hasSize(2);
    }

    /**
     * "Memory of another process read via procfs" (30-files.yaml): evade.c's procmem reads 16 bytes of
     * the target through /proc/PID/mem opened read-only (procmemtask: /proc/PID/task/PID/mem). Before the
     * kernel's fd.other_proc_mem no such open reached user space (the read filter keeps /proc reads in the
     * kernel). The shared monitor watches no 32-bit calls: the int $0x80 open is ProcMemOpenTest's.
     */
    @Test
    void containerProcessReadingAnotherProcessesMemoryThroughProcfsButNotItsOwn() throws Exception {
        Recorder.Mark mark = RIG.out().mark();
        String box = RIG.box().id();
        Ran self = RIG.box().exec(EvadeBox.BOX_PROBE, "procmem", "self");
        assertThat(self.exit()).as(self.output()).isZero();
        target(self);
        Ran task = RIG.box().exec(EvadeBox.BOX_PROBE, "procmemtask", "child");
        long taskChild = target(task);
        Ran read = RIG.box().exec(EvadeBox.BOX_PROBE, "procmem", "child");
        long child = target(read);
        for (String file : List.of("/proc/" + taskChild + "/task/" + taskChild + "/mem", "/proc/" + child + "/mem")) {
            Alert a = RIG.out().awaitAfter(mark, PROCFS_RULE,
                    x -> x.container().id().equals(box) && x.output().contains("file=" + file + " "), WAIT);
            assertThat(a.output()).contains("result=SUCCESS", "process=evade", "container=");
            assertThat(a.tags()).contains("T1003.007");
        }
        assertThat(procfsAlerts(mark)).filteredOn(x -> x.container().id().equals(box)).hasSize(2);
    }

    @Test
    void hostProcessReadingAnotherProcessesMemoryThroughProcfsButNotCriuADebuggerOrItself() throws Exception {
        Recorder.Mark mark = RIG.out().mark();
        Path criu = LiveProcesses.readable(Files.copy(RIG.hostProbe(), RIG.work().resolve("criu"), REPLACE_EXISTING));
        Path gdb = LiveProcesses.readable(Files.copy(RIG.hostProbe(), RIG.work().resolve("gdb"), REPLACE_EXISTING));
        Ran self = LiveProcesses.runToEnd(List.of(RIG.hostProbe().toString(), "procmem", "self"));
        target(self);
        Ran byCriu = LiveProcesses.runToEnd(List.of(criu.toString(), "procmem", "child"));
        target(byCriu);
        Ran byGdb = LiveProcesses.runToEnd(List.of(gdb.toString(), "procmem", "child"));
        target(byGdb);
        Ran read = LiveProcesses.runToEnd(List.of(RIG.hostProbe().toString(), "procmem", "child"));
        long child = target(read);
        Alert a = RIG.out().awaitAfter(mark, PROCFS_RULE, x -> x.event().process().pid() == read.pid(), WAIT);
        assertThat(a.container().isHost()).isTrue();
        assertThat(a.output()).contains("file=/proc/" + child + "/mem ", "result=SUCCESS");
        assertThat(procfsAlerts(mark)).extracting(x -> x.event().process().pid())
                .doesNotContain((int) self.pid(), (int) byCriu.pid(), (int) byGdb.pid());
    }

    private static List<Alert> procfsAlerts(Recorder.Mark since) {
        return RIG.out().since(since).stream().filter(a -> a.rule().equals(PROCFS_RULE)).toList();
    }

    @Test
    void hostProcessWritingAnotherProcessesMemoryButNotCriuOrItself() throws Exception {
        Recorder.Mark mark = RIG.out().mark();
        Path criu = LiveProcesses.readable(Files.copy(RIG.hostProbe(), RIG.work().resolve("criu"), REPLACE_EXISTING));
        Ran self = LiveProcesses.runToEnd(List.of(RIG.hostProbe().toString(), "vmwrite", "self"));
        target(self);
        Ran byCriu = LiveProcesses.runToEnd(List.of(criu.toString(), "vmread", "child"));
        target(byCriu);
        Ran write = LiveProcesses.runToEnd(List.of(RIG.hostProbe().toString(), "vmwrite", "child"));
        long child = target(write);
        Alert a = RIG.out().awaitAfter(mark, RULE, x -> x.event().process().pid() == write.pid(), WAIT);
        assertThat(a.container().isHost()).isTrue();
        assertThat(a.output()).contains("call=process_vm_writev", "target_pid=" + child + " ", "result=SUCCESS");
        assertThat(alerts(mark)).extracting(x -> x.event().process().pid())
                .doesNotContain((int) self.pid(), (int) byCriu.pid());
    }
}
