package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path call's text as the kernel copied it (TOCTOU, issue 16; README, Evasion routes): the file
 * sensor reads a path call's strings at its entry and again at its exit, and reports the entry's,
 * saying when the caller's buffer held another text at the exit. Deterministic through a
 * userfaultfd page (evade.c path-flip): rename and link copy their second path first, then wait for
 * the first one's page while the caller rewrites the second.
 */
class PathCallTextsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    @RegisterExtension
    static final LoadedSensors SENSORS = LoadedSensors.shared(Sensor.FILE);

    @TempDir
    Path tmp;

    @Test
    void aSecondPathRewrittenAfterTheKernelCopiedItIsReportedAsCopied() throws Exception {
        Path dir = tmp.toRealPath();
        for (FileOp op : List.of(FileOp.RENAME, FileOp.LINK)) {
            String call = op.name().toLowerCase();
            Path old = Files.writeString(dir.resolve(call + "-old"), "x");
            Path watched = dir.resolve(call + "-watched");
            Path benign = dir.resolve(call + "-benign");
            try (EventCollector events = collect()) {
                ProbeRun r = ProbeRun.of("path-flip", call, old.toString(), watched.toString(), benign.toString());
                assertThat(Files.exists(watched)).as("the kernel used the text it copied: %s", r.output()).isTrue();
                assertThat(Files.exists(benign)).as(r.output()).isFalse();
                FileEvent e = events.await(FileEvent.class, f -> f.process().pid() == r.pid() && f.op() == op, WAIT);
                assertThat(e.path()).as(call).isEqualTo(old.toString());
                assertThat(e.newPath()).as("%s: the text the kernel copied, not the caller's memory at exit", call)
                        .isEqualTo(watched.toString());
                assertThat(e.textChanged()).as(call).isTrue();
                assertThat(e.result()).as(call).isZero();
            }
        }
    }

    /** A text longer than the thread's slot holds (entry_texts.bpf.h ENTRY_TEXT_SHORT, 384) is kept whole in its long slot. */
    @Test
    void aLongSecondPathRewrittenAfterTheKernelCopiedItIsReportedAsCopied() throws Exception {
        Path dir = Files.createDirectories(tmp.toRealPath().resolve("d".repeat(200)).resolve("e".repeat(200)));
        for (FileOp op : List.of(FileOp.RENAME, FileOp.LINK)) {
            String call = op.name().toLowerCase();
            Path old = Files.writeString(dir.resolve(call + "-old"), "x");
            Path watched = dir.resolve(call + "-watched-" + "w".repeat(100));
            Path benign = dir.resolve(call + "-benign");
            assertThat(watched.toString().length()).isGreaterThan(500);
            try (EventCollector events = collect()) {
                ProbeRun r = ProbeRun.of("path-flip", call, old.toString(), watched.toString(), benign.toString());
                assertThat(Files.exists(watched)).as("the kernel used the text it copied: %s", r.output()).isTrue();
                FileEvent e = events.await(FileEvent.class, f -> f.process().pid() == r.pid() && f.op() == op, WAIT);
                assertThat(e.path()).as(call).isEqualTo(old.toString());
                assertThat(e.newPath()).as("%s: the long text the kernel copied", call).isEqualTo(watched.toString());
                assertThat(e.textChanged()).as(call).isTrue();
            }
        }
    }

    @Test
    void aCallWhoseTextStaysTheSameSaysNothingChanged() throws Exception {
        Path dir = tmp.toRealPath();
        Path old = Files.writeString(dir.resolve("plain-old"), "x");
        try (EventCollector events = collect()) {
            Process r = new ProcessBuilder("mv", old.toString(), dir.resolve("plain-new").toString()).start();
            assertThat(r.waitFor()).isZero();
            FileEvent e = events.await(FileEvent.class, f -> f.process().pid() == r.pid() && f.op() == FileOp.RENAME, WAIT);
            assertThat(e.newPath()).isEqualTo(dir.resolve("plain-new").toString());
            assertThat(e.textChanged()).isFalse();
        }
        Path file = Files.writeString(dir.resolve("direct"), "x");
        try (EventCollector events = collect()) {
            Process p = new ProcessBuilder("rm", file.toString()).start();
            assertThat(p.waitFor()).isZero();
            FileEvent e = events.await(FileEvent.class, f -> f.process().pid() == p.pid() && f.op() == FileOp.UNLINK, WAIT);
            assertThat(e.path()).isEqualTo(file.toString());
            assertThat(e.textChanged()).isFalse();
        }
    }

    /** A text in a page no access has faulted in cannot be read at entry (a probe read cannot fault): the exit's is used. */
    @Test
    void textsInPagesNeverTouchedAreReadAtExit() throws Exception {
        Path dir = tmp.toRealPath();
        Path gone = Files.writeString(dir.resolve("cold-unlinked"), "x");
        try (EventCollector events = collect()) {
            ProbeRun r = ProbeRun.of("path-cold", "unlink", gone.toString());
            // (the probe's own temporary file is unlinked first)
            FileEvent e = events.await(FileEvent.class, f -> f.process().pid() == r.pid() && f.op() == FileOp.UNLINK
                    && f.path().equals(gone.toString()), WAIT);
            assertThat(e.result()).isZero();
            assertThat(e.textChanged()).isFalse();
        }
        Path from = Files.writeString(dir.resolve("cold-from"), "x");
        Path to = dir.resolve("cold-to");
        try (EventCollector events = collect()) {
            ProbeRun r = ProbeRun.of("path-cold", "rename", from.toString(), to.toString());
            assertThat(Files.exists(to)).as(r.output()).isTrue();
            FileEvent e = events.await(FileEvent.class, f -> f.process().pid() == r.pid() && f.op() == FileOp.RENAME, WAIT);
            assertThat(e.path()).isEqualTo(from.toString());
            assertThat(e.newPath()).isEqualTo(to.toString());
            assertThat(e.result()).isZero();
        }
    }

    private static EventCollector collect() {
        return new EventCollector(SENSORS.get(), e -> e instanceof FileEvent);
    }
}
