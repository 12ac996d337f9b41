package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A container whose only process is a static program that reads /etc/shadow and exits within about a
 * millisecond (no shell, no child: the runtime's init execs it, and it is gone before its exec's record
 * is decoded). Its "Read sensitive file" alert must name its container, several times in a row, with
 * runc and crun: never the host, never nobody. (The complaint: short-lived containers blamed on the host.)
 * Also through a hard link its image brings (/srv/innocent): the container's files are looked at
 * through its root where the host mounts it, /proc/PID/root being gone with the process.
 */
@SharesLiveMonitor
class OneShortProcessContainerLiveTest {
    private static final int RUNS = 3;
    private static final String READ = "Read sensitive file";

    private static Path work;
    private static Path rootfs;
    private static InMemoryOutput out;
    private static LiveMonitor live;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("eunomia-oneshort-");
        Path program = LiveProcesses.compile(work, "/evasion/read-and-exit.c", "read-and-exit");
        rootfs = work.resolve("rootfs");
        BusyboxRootfs.get().copyTo(rootfs);
        Files.writeString(rootfs.resolve("etc/shadow"), "root:*:1::::::\n");
        // Another name of its shadow, as an image may bring: only the look at its files names it.
        Files.createDirectories(rootfs.resolve("srv"));
        Files.createLink(rootfs.resolve("srv/innocent"), rootfs.resolve("etc/shadow"));
        Files.copy(program, rootfs.resolve("read-and-exit"));
        live = LiveMonitor.sharedDefaultPack(OneShortProcessContainerLiveTest.class, AlertsOfActs.WAIT);
        out = live.out();
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        LiveProcesses.deleteTree(work);
    }

    @Test
    void aRuncContainerWhoseOnlyProcessLivesAMillisecondIsItself() throws Exception {
        try (Runc runc = new Runc()) {
            eachAlertNamesItsContainer(runc);
        }
    }

    @Test
    void aCrunContainerWhoseOnlyProcessLivesAMillisecondIsItself() throws Exception {
        try (Crun crun = new Crun()) {
            eachAlertNamesItsContainer(crun);
        }
    }

    private static void eachAlertNamesItsContainer(OciRuntime runtime) throws Exception {
        Recorder.Mark mark = out.mark();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2 * RUNS; i++) {
            String id = OciRuntime.uniqueId("oneshort-" + runtime.name());
            // By its name, and through the hard link (named /etc/shadow only if its files were looked at).
            Result r = runtime.run(id, ContainerSpec.of("/read-and-exit", i % 2 == 0 ? "/etc/shadow" : "/srv/innocent")
                    .withConfigEdit(OneShortProcessContainerLiveTest::rootAtShared), Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            ids.add(id);
        }
        for (String id : ids) {
            try {
                out.awaitAfter(mark, READ, a -> a.container().id().equals(id) && a.output().contains("file=/etc/shadow"),
                        AlertsOfActs.WAIT);
            } catch (AssertionError e) {
                throw new AssertionError("no alert names container " + id + " (records lost in the kernel since the class began: "
                        + live.lostInKernel() + "); shadow reads since the first ran:\n"
                        + out.since(mark).stream().filter(a -> a.rule().equals(READ))
                                .map(a -> a.container() + " " + a.output()).collect(Collectors.joining("\n")), e);
            }
        }
        List<Alert> host = out.since(mark).stream().filter(a -> a.rule().equals(READ) && a.container().isHost()
                && a.event().process().comm().equals("read-and-exit")).toList();
        assertThat(host).as("reads blamed on the host").isEmpty();
    }

    /** Every container on the one prepared root, read-only (runc and crun may share it then). */
    private static void rootAtShared(ObjectNode config) {
        ((ObjectNode) config.get("root")).put("path", rootfs.toString()).put("readonly", true);
    }
}
