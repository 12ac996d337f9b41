package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.SyscallEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privilege sensor's path arguments as the kernel copied them (TOCTOU, issue 16; priv.bpf.c
 * put_call_text): read at entry and at exit, the record names the copy the kernel used and says when
 * the caller rewrote the buffer during the call (text_changed). chmod copies its path first and then
 * waits for the inode's lock (evade.c chmod-flip: a write from a userfaultfd page holds it): the
 * entry's text is the file made setuid. mount copies its type, its source, its options, then its
 * target (evade.c mount-flip, mount-textflip: one of them in a userfaultfd page): a text copied before
 * the wait is the entry's, one after it the exit's. fsconfig copies its key before its value
 * (evade.c fsconfig-flip).
 */
class PrivCallTextsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    @RegisterExtension
    static final LoadedSensors SENSORS = LoadedSensors.shared(Sensor.SYSCALL);

    /** A run that mounts nothing: nothing to undo. */
    private static final Path NOTHING_MOUNTED = null;

    @TempDir
    Path tmp;

    @Test
    void aChmodPathRewrittenWhileTheCallWaitsNamesTheFileMadeSetuid() throws Exception {
        Path dir = tmp.toRealPath();
        for (String call : List.of("chmod", "fchmodat", "fchmodat2")) {
            Path real = Files.writeString(dir.resolve(call + "-real"), "x");
            Path benign = Files.writeString(dir.resolve(call + "-benign"), "x");
            probe(named(call), NOTHING_MOUNTED, (r, e) -> {
                assertThat(mode(real)).as("the kernel used the text it copied: %s", r.output()).isEqualTo(04755);
                assertThat(mode(benign) & 06000).as(r.output()).isZero();
                assertThat(e.strings()).as("%s: the text the kernel copied, not the caller's memory at exit", call)
                        .containsEntry("path", real.toString());
                assertThat(e.args()).as(call).containsEntry("mode", 04755L);
                assertThat(e.textChanged()).as(call).isTrue();
                assertThat(e.result()).as(call).isZero();
            }, "chmod-flip", call, real.toString(), benign.toString());
        }
    }

    /** The same wait without the rewrite, and a plain chmod: nothing changed. */
    @Test
    void aChmodWhosePathStaysTheSameSaysNothingChanged() throws Exception {
        Path dir = tmp.toRealPath();
        Path waited = Files.writeString(dir.resolve("waited"), "x");
        probe(named("chmod"), NOTHING_MOUNTED, (r, e) -> {
            assertThat(e.strings()).containsEntry("path", waited.toString());
            assertThat(e.textChanged()).isFalse();
        }, "chmod-flip", "chmod", waited.toString(), waited.toString());
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        try (EventCollector events = collect()) {
            Process p = new ProcessBuilder("chmod", "2755", plain.toString()).start();
            assertThat(p.waitFor()).isZero();
            SyscallEvent e = events.await(SyscallEvent.class, s -> s.process().pid() == p.pid()
                    && List.of("chmod", "fchmodat", "fchmodat2").contains(s.syscall()), WAIT);
            assertThat(e.strings()).containsEntry("path", plain.toString());
            assertThat(e.textChanged()).isFalse();
        }
    }

    @Test
    void aMountTargetRewrittenWhileTheKernelCopiesTheTypeNamesWhereItMounted() throws Exception {
        Path dir = tmp.toRealPath();
        Path source = markedSource(dir);
        Path entry = Files.createDirectory(dir.resolve("entry"));
        Path target = Files.createDirectory(dir.resolve("target"));
        probe(named("mount"), target, (r, e) -> {
            assertThat(Files.exists(target.resolve("marker"))).as("mounted at the text the kernel copied: %s", r.output()).isTrue();
            assertThat(Files.exists(entry.resolve("marker"))).as(r.output()).isFalse();
            assertThat(e.strings()).containsEntry("target", target.toString()).containsEntry("source", source.toString());
            assertThat(e.textChanged()).isTrue();
            assertThat(e.result()).isZero();
        }, "mount-flip", source.toString(), entry.toString(), target.toString());
        probe(named("mount"), target, (r, e) -> {
            assertThat(e.strings()).containsEntry("target", target.toString()).containsEntry("source", source.toString());
            assertThat(e.textChanged()).as("the same wait, no rewrite").isFalse();
        }, "mount-flip", source.toString(), target.toString(), target.toString());
    }

    /** mount("proc", TARGET, "proc") whose type becomes "tmpfs" while the kernel waits for the source (copied after it). */
    @Test
    void aMountTypeRewrittenWhileTheKernelCopiesTheSourceNamesTheTypeItMounted() throws Exception {
        Path target = Files.createDirectory(tmp.toRealPath().resolve("proc"));
        for (String now : List.of("tmpfs", "proc")) {
            probe(named("mount"), target, (r, e) -> {
                assertThat(Files.exists(target.resolve("self/status"))).as("a proc mounted: %s", r.output()).isTrue();
                assertThat(e.strings()).as("the type the kernel copied, not the caller's memory at exit")
                        .containsEntry("fstype", "proc").containsEntry("source", "proc").containsEntry("target", target.toString());
                assertThat(e.textChanged()).as("rewritten to %s", now).isEqualTo(!now.equals("proc"));
                assertThat(e.result()).isZero();
            }, "mount-textflip", "source", "type", now, "proc", target.toString(), "proc");
        }
    }

    /**
     * A bind mount whose options lie in a userfaultfd page: the source, copied before them, is the
     * entry's text; the target, copied after them, the exit's.
     */
    @Test
    void aMountWaitingForItsOptionsNamesTheSourceCopiedBeforeAndTheTargetCopiedAfter() throws Exception {
        Path dir = tmp.toRealPath();
        Path source = markedSource(dir);
        Path decoy = Files.createDirectory(dir.resolve("decoy"));
        Path entry = Files.createDirectory(dir.resolve("entry"));
        bindWaitingForOptions("source", decoy, source, entry, entry);
        bindWaitingForOptions("target", decoy, source, entry, decoy);
    }

    /**
     * The same with source and target in one buffer (mount(DIR, DIR, ...)): the kernel copies it as
     * the source before the options and again as the target after them, so the target is the exit's
     * text although its pointer is the source's.
     */
    @Test
    void aMountWithOneBufferForSourceAndTargetNamesTheTargetCopiedAfterTheOptions() throws Exception {
        Path dir = tmp.toRealPath();
        Path source = markedSource(dir);
        Path decoy = Files.createDirectory(dir.resolve("decoy"));
        bindWaitingForOptions("shared", decoy, source, source, decoy);
    }

    /**
     * A type longer than the 64 bytes kept at entry whose NUL lies in a userfaultfd page: the kernel
     * measures the whole string first (waiting there), then copies it from its start, so its head
     * rewritten to "proc" during the wait mounts a proc. The record names the exit's text ("proc"),
     * not the cut head read at entry.
     */
    @Test
    void aLongMountTypeWhoseTailWaitsNamesTheTypeItMounted() throws Exception {
        Path target = Files.createDirectory(tmp.toRealPath().resolve("proc"));
        String longType = "eunomia-".repeat(10);
        probe(named("mount"), target, (r, e) -> {
            assertThat(Files.exists(target.resolve("self/status"))).as("a proc mounted: %s", r.output()).isTrue();
            assertThat(e.strings()).as("the type the kernel copied, not the head read at entry")
                    .containsEntry("fstype", "proc").containsEntry("target", target.toString());
            assertThat(e.textChanged()).isTrue();
            assertThat(e.result()).isZero();
        }, "mount-textflip", "typetail", "type", "proc", "proc", target.toString(), longType);
        probeEnding(-19 /* ENODEV: no such file system type */, named("mount"), NOTHING_MOUNTED, (r, e) -> {
            assertThat(e.strings()).as("the same wait, the source \"rewritten\" to itself: the type's head, cut").containsEntry("fstype", longType.substring(0, 63));
            assertThat(e.textChanged()).isFalse();
            assertThat(e.result()).isEqualTo(-19L);
        }, "mount-textflip", "typetail", "source", "proc", "proc", target.toString(), longType);
    }

    /**
     * A bind of source at entry, waiting for its options while the buffer of flipped (shared: the one
     * of source and target) becomes decoy: mounted at mountedAt.
     */
    private static void bindWaitingForOptions(String flipped, Path decoy, Path source, Path entry, Path mountedAt) throws Exception {
        probe(named("mount"), mountedAt, (r, e) -> {
            assertThat(Files.exists(mountedAt.resolve("marker"))).as("%s flipped: %s", flipped, r.output()).isTrue();
            assertThat(e.strings()).as("the source copied before the options, the target after them")
                    .containsEntry("source", source.toString()).containsEntry("target", mountedAt.toString());
            assertThat(e.textChanged()).isTrue();
        }, "mount-textflip", "data", flipped, decoy.toString(), source.toString(), entry.toString(), "none", "bind");
    }

    /** fsconfig(SET_STRING, "source", VALUE) whose key becomes "size" while the kernel waits for the value. */
    @Test
    void anFsconfigKeyRewrittenWhileTheKernelCopiesTheValueNamesTheKeyItSet() throws Exception {
        Path target = Files.createDirectory(tmp.toRealPath().resolve("fs"));
        probe(s -> s.syscall().equals("fsconfig") && s.args().get("cmd") == 1L, target, (r, e) -> {
            assertThat(e.strings()).as("the key the kernel copied, so the value is the mount's source")
                    .containsEntry("key", "source").containsEntry("source", "eunomia-flipsrc");
            assertThat(e.textChanged()).isTrue();
            assertThat(e.result()).isZero();
        }, "fsconfig-flip", target.toString(), "eunomia-flipsrc", "size");
    }

    /** What a run's record is checked for, with the run (its output) and what it mounted still in place. */
    @FunctionalInterface
    private interface Checks {
        void check(ProbeRun run, SyscallEvent record) throws Exception;
    }

    /** {@link #probeEnding} of a mode that must succeed. */
    private static void probe(Predicate<SyscallEvent> isCall, Path mounted, Checks checks, String... args) throws Exception {
        probeEnding(0, isCall, mounted, checks, args);
    }

    /**
     * Runs evade.c with {@code args} (its mode reporting {@code result}) while the sensor records,
     * awaits the record of its process's call that {@code isCall} matches, checks both, then
     * unmounts {@code mounted} ({@link #NOTHING_MOUNTED}: nothing), also when the run or a check
     * failed: then best-effort, a failed unmount attached to that failure instead of replacing it.
     */
    private static void probeEnding(long result, Predicate<SyscallEvent> isCall, Path mounted, Checks checks, String... args)
            throws Exception {
        try (EventCollector events = collect()) {
            Throwable failure = null;
            try {
                ProbeRun r = ProbeRun.ending(result, args);
                checks.check(r, events.await(SyscallEvent.class, s -> s.process().pid() == r.pid() && isCall.test(s), WAIT));
            } catch (Exception | AssertionError e) {
                failure = e;
                throw e;
            } finally {
                if (mounted != NOTHING_MOUNTED) {
                    umountAfter(mounted, failure);
                }
            }
        }
    }

    /** Unmounts target; after a failure (not null), a failed unmount is only added to it as suppressed. */
    private static void umountAfter(Path target, Throwable failure) throws Exception {
        if (failure == null) {
            umount(target);
            return;
        }
        try {
            umount(target);
        } catch (Exception | AssertionError e) {
            failure.addSuppressed(e);
        }
    }

    private static Predicate<SyscallEvent> named(String call) {
        return s -> s.syscall().equals(call);
    }

    /** DIR/source holding a file "marker", to tell where it got mounted. */
    private static Path markedSource(Path dir) throws Exception {
        Path source = Files.createDirectory(dir.resolve("source"));
        Files.writeString(source.resolve("marker"), "x");
        return source;
    }

    private static int mode(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:mode") & 07777;
    }

    private static void umount(Path target) throws Exception {
        Process p = new ProcessBuilder("umount", target.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("umount %s: %s", target, out).isZero();
    }

    private static EventCollector collect() {
        return new EventCollector(SENSORS.get(), SyscallEvent.class::isInstance);
    }
}
