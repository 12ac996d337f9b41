package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.event.FileEvent;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A read of /etc/shadow through a hard link in a container whose root is an overlay (Docker's
 * overlay2 and podman's overlay): one its image brings (/srv/innocent, a file of the lower layer,
 * whose overlay inode counts one link whatever the image's file counts), after the container wrote
 * to /etc/shadow (copied up: the link now names the image's copy), and one made while it runs
 * (/srv/made, in the upper layer). Each must raise the alert a read by name raises, naming its
 * container: from a container whose only process lives about a millisecond (its files are looked
 * at through the overlay the host still mounts) and from one that keeps running. The Docker ~1 ms
 * case runs first, right after the monitor started: its look at the first container's files is the
 * slowest, and a container of a millisecond passes its mount namespace number on to the next one made
 * (on a shared host, anyone's) before that look ends (issue 16).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverlayRootHardLinkLiveTest {
    private static final int RUNS = 2;
    private static final String READ = "Read sensitive file";
    private static final Duration WAIT = Duration.ofSeconds(120);  // awaits what the act causes; ends when it comes

    private static Path work;
    private static Dockerd dockerd;
    private static Podman podman;
    private static InMemoryOutput out;
    private static Monitor monitor;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("eunomia-overlayhl-");
        Path program = LiveProcesses.compile(work, "/evasion/read-and-exit.c", "read-and-exit");
        Path rootfs = work.resolve("rootfs");
        BusyboxRootfs.get().copyTo(rootfs);
        Files.writeString(rootfs.resolve("etc/shadow"), "root:*:1::::::\n");
        Files.createDirectories(rootfs.resolve("srv"));
        Files.createLink(rootfs.resolve("srv/innocent"), rootfs.resolve("etc/shadow"));
        Files.copy(program, rootfs.resolve("read-and-exit"));
        dockerd = Dockerd.start("eunomia-busybox:overlayhl", "overlay2");
        dockerd.importRootfsAsDefault(rootfs, "eunomia-shadow:overlayhl");
        podman = Podman.start("localhost/eunomia-busybox:overlayhl", "overlay");
        podman.importRootfsAsDefault(rootfs, "localhost/eunomia-shadow:overlayhl");
        ContainerSources sources = ContainerSources.defaults()
                .withStateRoot(dockerd.stateRoot(), "docker")
                .withDockerSocket(dockerd.socket());
        out = new InMemoryOutput();
        monitor = Monitor.start(new RuleLoader(List.of(), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withContainers(sources));
    }

    @AfterAll
    static void stop() throws Exception {
        if (monitor != null) {
            monitor.close();
        }
        if (dockerd != null) {
            dockerd.close();
        }
        if (podman != null) {
            podman.close();
        }
        if (work != null) {
            LiveProcesses.deleteTree(work);
        }
    }

    @Test
    @Order(1)
    void aDockerOverlayContainerWhoseOnlyProcessLivesAMillisecondIsItself() throws Exception {
        eachShortReadIsAlerted(dockerd);
    }

    @Test
    @Order(2)
    void aPodmanOverlayContainerWhoseOnlyProcessLivesAMillisecondIsItself() throws Exception {
        eachShortReadIsAlerted(podman);
    }

    @Test
    @Order(3)
    void aRunningDockerOverlayContainersReadsThroughLinksAreAlerted() throws Exception {
        eachLinkReadOfARunningContainerIsAlerted(dockerd);
    }

    @Test
    @Order(4)
    void aRunningPodmanOverlayContainersReadsThroughLinksAreAlerted() throws Exception {
        eachLinkReadOfARunningContainerIsAlerted(podman);
    }

    private static void eachShortReadIsAlerted(ContainerEngine engine) throws Exception {
        Recorder.Mark mark = out.mark();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2 * RUNS; i++) {
            String name = OciRuntime.uniqueId("ovl-" + engine.name());
            // By its name, and through the image's hard link (named /etc/shadow only if its files were looked at).
            Result r = engine.run(name, Map.of(), List.of("/read-and-exit", i % 2 == 0 ? "/srv/innocent" : "/etc/shadow"),
                    true, Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.id()).as("container id of " + name).isNotBlank();
            ids.add(r.id());
        }
        for (String id : ids) {
            awaitRead(engine, mark, id, null, 0);
        }
        assertNoneBlamedOnTheHost(mark);
    }

    private static void eachLinkReadOfARunningContainerIsAlerted(ContainerEngine engine) throws Exception {
        Recorder.Mark mark = out.mark();
        try (EngineContainer c = engine.start(OciRuntime.uniqueId("ovl-run-" + engine.name()), Map.of(),
                List.of("/bin/sleep", "120"))) {
            exec(engine, c, "/read-and-exit", "/srv/innocent");  // a lower layer's file
            awaitRead(engine, mark, c.id(), "/srv/innocent", 0);
            exec(engine, c, "/bin/ln", "/etc/shadow", "/srv/made");  // copies /etc/shadow up: a link in the upper layer
            exec(engine, c, "/read-and-exit", "/srv/made");
            awaitRead(engine, mark, c.id(), "/srv/made", 0);
            exec(engine, c, "/bin/sh", "-c", "echo 'x:*:1::::::' >> /etc/shadow");
            exec(engine, c, "/read-and-exit", "/srv/made");  // the copied-up file, written to
            exec(engine, c, "/read-and-exit", "/srv/innocent");
            Recorder.Mark afterWrite = out.mark();
            // The alert of this read, not of the one just before: that one's may still arrive after the mark.
            long notBefore = System.currentTimeMillis() * 1_000_000L;
            exec(engine, c, "/read-and-exit", "/srv/innocent");  // the image's copy, now apart from the container's
            awaitRead(engine, afterWrite, c.id(), "/srv/innocent", notBefore);
        }
        assertNoneBlamedOnTheHost(mark);
    }

    private static void exec(ContainerEngine engine, EngineContainer c, String... args) {
        List<String> cmd = new ArrayList<>(List.of("exec", c.id()));
        cmd.addAll(List.of(args));
        Result r = engine.cli(cmd, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.stderr()).isZero();
    }

    /**
     * An alert for /etc/shadow naming the container, read through usedName when given, of a read at
     * epoch nanosecond notBefore or later.
     */
    private static void awaitRead(ContainerEngine engine, Recorder.Mark mark, String id, String usedName, long notBefore)
            throws InterruptedException {
        try {
            out.awaitAfter(mark, READ, a -> a.container().id().equals(id) && a.output().contains("file=/etc/shadow")
                    && (usedName == null || a.event() instanceof FileEvent f && f.newPath().equals(usedName))
                    && a.event().epochNanos() >= notBefore, WAIT);
        } catch (AssertionError e) {
            throw new AssertionError("no alert names " + engine.name() + " container " + id
                    + (usedName == null ? "" : " reading through " + usedName) + "; alerts since:\n" + out.describe(mark), e);
        }
    }

    private static void assertNoneBlamedOnTheHost(Recorder.Mark mark) {
        List<Alert> host = out.since(mark).stream().filter(a -> a.rule().equals(READ) && a.container().isHost()
                && a.event().process().comm().equals("read-and-exit")).toList();
        assertThat(host).as("reads blamed on the host").isEmpty();
    }
}
