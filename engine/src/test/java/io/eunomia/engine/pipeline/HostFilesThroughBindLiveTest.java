package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Host files a container reaches through a bind mount of a host directory (`-v /etc:/host/etc`: README,
 * Evasion routes), under the default pack in the shared live monitor: a runc busybox container (its
 * rootfs a directory of the host's root file system, its own /etc/shadow written by ShadowBox) with the
 * host's /etc bound at /host/etc. The file sensor names such an open by its host path too (fd.host_name):
 * reading /host/etc/shadow raises "Read sensitive file" and a write below /host/etc "Write below system
 * directory", each with host_file=/etc/...; the container's own /etc/shadow has no host name (its alert
 * is the container's own, as before), and a host file no rule protects (/host/etc/hostname) raises
 * nothing. Negatives first, positives last: once the positives' alerts arrive the negatives' events
 * have been judged.
 */
@SharesLiveMonitor
class HostFilesThroughBindLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String READ = "Read sensitive file";
    private static final String WRITE = "Write below system directory";
    private static final String FILE = "eunomia-hostbind-" + ProcessHandle.current().pid();

    private static LiveMonitor live;
    private static InMemoryOutput out;
    private static ShadowBox box;

    @BeforeAll
    static void start() throws Exception {
        live = LiveMonitor.sharedDefaultPack(HostFilesThroughBindLiveTest.class, WAIT);
        out = live.out();
        box = ShadowBox.start("hostbind", HostFilesThroughBindLiveTest::bindHostEtc, List.of());
    }

    /** The host's /etc at /host/etc, writable (rbind: as docker -v does). */
    private static void bindHostEtc(ObjectNode config) {
        ArrayNode mounts = (ArrayNode) config.get("mounts");
        ObjectNode m = mounts.addObject();
        m.put("destination", "/host/etc");
        m.put("type", "bind");
        m.put("source", "/etc");
        m.putArray("options").add("rbind").add("rw");
    }

    @AfterAll
    static void stop() throws Exception {
        ShadowBox.close(box);
        LiveMonitor.close(live);
        Files.deleteIfExists(Path.of("/etc", FILE));
        Files.deleteIfExists(Path.of("/etc", FILE + ".a"));
        Files.deleteIfExists(Path.of("/etc", FILE + ".b"));
    }

    private static void run(String... cmd) throws Exception {
        Ran r = box.exec(cmd);
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void hostFilesThroughABindMountAreNamedByTheirHostPathTheContainersOwnAreNot() throws Exception {
        Recorder.Mark mark = out.mark();
        String id = box.id();
        run("sh", "-c", "cat /host/etc/hostname >/dev/null");
        run("sh", "-c", "cat /etc/shadow >/dev/null");
        Alert own = out.awaitAfter(mark, READ, a -> a.container().id().equals(id) && a.output().contains("file=/etc/shadow "), WAIT);
        assertThat(own.output()).doesNotContain("host_file=/");

        run("sh", "-c", "cat /host/etc/shadow >/dev/null");
        Alert read = out.awaitAfter(mark, READ,
                a -> a.container().id().equals(id) && a.output().contains("file=/host/etc/shadow "), WAIT);
        assertThat(read.output()).contains("host_file=/etc/shadow)");
        run("sh", "-c", "echo '# eunomia test' > /host/etc/" + FILE);
        Alert write = out.awaitAfter(mark, WRITE,
                a -> a.container().id().equals(id) && a.output().contains("file=/host/etc/" + FILE + " "), WAIT);
        assertThat(write.output()).contains("host_file=/etc/" + FILE + ")", "op=open");
        assertThat(Files.exists(Path.of("/etc", FILE))).as("the container wrote the host's /etc").isTrue();

        assertThat(out.since(mark)).filteredOn(a -> a.container().id().equals(id)).extracting(Alert::output)
                .noneMatch(o -> o.contains("hostname"));
    }

    /**
     * Path calls (rename, chmod, unlink) on a host file below /host/etc are named by their host path
     * (PathCallResolution from the container's mount table): "Write below system directory" with
     * host_file=/etc/... (and host_new= for the rename's new name); the same unlink of the container's own
     * /etc raises it without a host path, and its own chmod nothing (a mode change counts only on the host's).
     */
    @Test
    void pathCallsOnHostFilesThroughABindMountAreNamedByTheirHostPath() throws Exception {
        Recorder.Mark mark = out.mark();
        String id = box.id();
        String own = "/etc/" + FILE + ".own";
        run("sh", "-c", "echo x > " + own + " && chmod 600 " + own + " && rm " + own);
        Alert ownRm = out.awaitAfter(mark, WRITE,
                a -> a.container().id().equals(id) && a.output().contains("op=unlink file=" + own + " "), WAIT);
        assertThat(ownRm.output()).doesNotContain("host_file=/");

        String a = "/host/etc/" + FILE + ".a";
        String b = "/host/etc/" + FILE + ".b";
        run("sh", "-c", "echo x > " + a + " && mv " + a + " " + b + " && chmod 600 " + b);
        Alert mv = out.awaitAfter(mark, WRITE, x -> x.container().id().equals(id) && x.output().contains("op=rename file=" + a + " "), WAIT);
        assertThat(mv.output()).contains("new=" + b + " ", "host_new=/etc/" + FILE + ".b ", "host_file=/etc/" + FILE + ".a)");
        Alert chmod = out.awaitAfter(mark, WRITE, x -> x.container().id().equals(id) && x.output().contains("op=chmod file=" + b + " "), WAIT);
        assertThat(chmod.output()).contains("host_file=/etc/" + FILE + ".b)");
        assertThat(Files.exists(Path.of("/etc", FILE + ".b"))).as("the container renamed a host file").isTrue();
        run("sh", "-c", "rm " + b);
        Alert rm = out.awaitAfter(mark, WRITE, x -> x.container().id().equals(id) && x.output().contains("op=unlink file=" + b + " "), WAIT);
        assertThat(rm.output()).contains("host_file=/etc/" + FILE + ".b)");
        assertThat(Files.exists(Path.of("/etc", FILE + ".b"))).as("the container removed a host file").isFalse();

        assertThat(out.since(mark)).filteredOn(x -> x.container().id().equals(id)).extracting(Alert::output)
                .noneMatch(o -> o.contains("op=chmod file=" + own + " "));
    }
}
