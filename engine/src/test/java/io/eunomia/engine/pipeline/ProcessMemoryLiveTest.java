package io.eunomia.engine.pipeline;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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

    private static List<Alert> alerts(Recorder.Mark since, String rule) {
        return RIG.out().since(since).stream().filter(a -> a.rule().equals(rule)).toList();
    }

    /**
     * A run of the probe: {@code name} "evade" is the probe itself, any other a copy of it under that name
     * in the probe's directory (the box sees it at /opt/evade); {@code act} on the target "self" or
     * "child"; {@code shows}, formats of the child's pid, what its alert says.
     */
    private record Probe(String name, String act, List<String> shows) {
        Probe(String name, String act, String... shows) {
            this(name, act, List.of(shows));
        }

        Ran run(String target, boolean inBox) throws Exception {
            Path file = name.equals("evade") ? RIG.hostProbe()
                    : LiveProcesses.readable(Files.copy(RIG.hostProbe(), RIG.work().resolve(name), REPLACE_EXISTING));
            Ran r = !inBox ? LiveProcesses.runToEnd(List.of(file.toString(), act, target))
                    : RIG.box().exec(name.equals("evade") ? EvadeBox.BOX_PROBE : "/opt/evade/" + name, act, target);
            assertThat(r.exit()).as(r.output()).isZero();
            return r;
        }

        /** Whether the alert says all of {@code shows} of this child. */
        boolean shownBy(Alert a, long child) {
            return shows.stream().allMatch(f -> a.output().contains(f.formatted(child)));
        }
    }

    /**
     * In the box each probe in {@code alerting} raises {@code rule} once, its memory act on itself first
     * nothing; debuggers are excepted on hosts only: in a container a tool named strace is no excuse.
     * "Memory of another process read via procfs" (30-files.yaml): evade.c's procmem reads 16 bytes of the
     * target through /proc/PID/mem opened read-only (procmemtask: /proc/PID/task/PID/mem). Before the
     * kernel's fd.other_proc_mem no such open reached user space (the read filter keeps /proc reads in the
     * kernel). The shared monitor watches no 32-bit calls: the int $0x80 open is ProcMemOpenTest's.
     */
    static Stream<Arguments> containerCases() {
        return Stream.of(
                arguments(RULE, new Probe("evade", "vmread"), List.of(
                        new Probe("evade", "vmread", "call=process_vm_readv", "target_pid=%d ", "process=evade"),
                        new Probe("strace", "vmread", "target_pid=%d ", "process=strace")), List.of("T1003.007", "T1055")),
                arguments(PROCFS_RULE, new Probe("evade", "procmem"), List.of(
                        new Probe("evade", "procmemtask", "file=/proc/%1$d/task/%1$d/mem ", "process=evade"),
                        new Probe("evade", "procmem", "file=/proc/%d/mem ", "process=evade")), List.of("T1003.007")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containerCases")
    void containerProcessTouchingAnotherProcessesMemoryButNotItsOwn(String rule, Probe self, List<Probe> alerting, List<String> tags)
            throws Exception {
        Recorder.Mark mark = RIG.out().mark();
        String box = RIG.box().id();
        target(self.run("self", true));
        for (Probe p : alerting) {
            long child = target(p.run("child", true));
            Alert a = RIG.out().awaitAfter(mark, rule, x -> x.container().id().equals(box) && p.shownBy(x, child), WAIT);
            assertThat(a.output()).contains("result=SUCCESS", "container=");
            assertThat(a.tags()).containsAll(tags);
        }
        assertThat(alerts(mark, rule)).filteredOn(x -> x.container().id().equals(box)).hasSize(alerting.size());
    }

    /** On the host the probe's act raises {@code rule}; the same on itself, or under an excepted name, raises nothing. */
    static Stream<Arguments> hostCases() {
        return Stream.of(
                arguments(PROCFS_RULE, new Probe("evade", "procmem", "file=/proc/%d/mem "),
                        List.of(new Probe("criu", "procmem"), new Probe("gdb", "procmem"))),
                arguments(RULE, new Probe("evade", "vmwrite", "call=process_vm_writev", "target_pid=%d "),
                        List.of(new Probe("criu", "vmread"))));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostCases")
    void hostProcessTouchingAnotherProcessesMemoryButNotAnExceptedNameOrItself(String rule, Probe probe, List<Probe> excepted)
            throws Exception {
        Recorder.Mark mark = RIG.out().mark();
        Ran self = probe.run("self", false);
        target(self);
        List<Integer> quiet = new ArrayList<>(List.of((int) self.pid()));
        for (Probe p : excepted) {
            Ran r = p.run("child", false);
            target(r);
            quiet.add((int) r.pid());
        }
        Ran act = probe.run("child", false);
        long child = target(act);
        Alert a = RIG.out().awaitAfter(mark, rule, x -> x.event().process().pid() == act.pid(), WAIT);
        assertThat(a.container().isHost()).isTrue();
        assertThat(probe.shownBy(a, child)).as(a.output()).isTrue();
        assertThat(a.output()).contains("result=SUCCESS");
        assertThat(alerts(mark, rule)).extracting(x -> x.event().process().pid()).doesNotContainAnyElementsOf(quiet);
    }
}
