package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.Dockerd;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * {@link OneShortProcessContainerLiveTest} where users meet it: a container of Docker (overlay2) and
 * of podman (overlay) whose only process, a static program, reads /etc/shadow by name or through a
 * hard link its image brings (/srv/innocent) and exits within about a millisecond. Its root is the
 * overlay the engine mounts at .../merged while the container runs, not a bundle directory: the
 * look at its files (which names the hard link) goes through that mount, found in the host's mount
 * table from the root the kernel saw at the exec. Every read must raise an alert naming its
 * container; none may name the host.
 */
@Disabled("issue 16: fails. The overlay is found and looked at (7 files written), but a read through the image's hard link "
        + "is never sent as unnamed by the kernel, so no alert names it; docker's first container was once unattributed")
class OverlayRootShortProcessLiveTest {
    private static final int RUNS = 3;
    private static final String READ = "Read sensitive file";
    private static final Duration WAIT = Duration.ofSeconds(90);  // awaits what the act causes; ends when it comes

    private static Path work;
    private static Dockerd dockerd;
    private static Podman podman;
    private static InMemoryOutput out;
    private static Monitor monitor;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("eunomia-overlayshort-");
        Path program = LiveProcesses.compile(work, "/evasion/read-and-exit.c", "read-and-exit");
        Path rootfs = work.resolve("rootfs");
        BusyboxRootfs.get().copyTo(rootfs);
        Files.writeString(rootfs.resolve("etc/shadow"), "root:*:1::::::\n");
        Files.createDirectories(rootfs.resolve("srv"));
        Files.createLink(rootfs.resolve("srv/innocent"), rootfs.resolve("etc/shadow"));
        Files.copy(program, rootfs.resolve("read-and-exit"));
        dockerd = Dockerd.start("eunomia-busybox:overlayshort", "overlay2");
        dockerd.importRootfsAsDefault(rootfs, "eunomia-shadow:overlayshort");
        podman = Podman.start("localhost/eunomia-busybox:overlayshort", "overlay");
        podman.importRootfsAsDefault(rootfs, "localhost/eunomia-shadow:overlayshort");
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
    void aDockerOverlayContainerWhoseOnlyProcessLivesAMillisecondIsItself() throws Exception {
        eachAlertNamesItsContainer(dockerd);
    }

    @Test
    void aPodmanOverlayContainerWhoseOnlyProcessLivesAMillisecondIsItself() throws Exception {
        eachAlertNamesItsContainer(podman);
    }

    private static void eachAlertNamesItsContainer(ContainerEngine engine) throws Exception {
        Recorder.Mark mark = out.mark();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2 * RUNS; i++) {
            String name = OciRuntime.uniqueId("ovl-" + engine.name());
            // By its name, and through the hard link (named /etc/shadow only if its files were looked at).
            Result r = engine.run(name, Map.of(), List.of("/read-and-exit", i % 2 == 0 ? "/etc/shadow" : "/srv/innocent"),
                    true, Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.id()).as("container id of " + name).isNotBlank();
            ids.add(r.id());
        }
        for (String id : ids) {
            try {
                out.awaitAfter(mark, READ, a -> a.container().id().equals(id) && a.output().contains("file=/etc/shadow"), WAIT);
            } catch (AssertionError e) {
                throw new AssertionError("no alert names " + engine.name() + " container " + id + " (of " + ids
                        + "); shadow reads since the first ran:\n" + out.since(mark).stream().filter(a -> a.rule().equals(READ))
                                .map(a -> a.container() + " " + a.output()).collect(Collectors.joining("\n")), e);
            }
        }
        List<Alert> host = out.since(mark).stream().filter(a -> a.rule().equals(READ) && a.container().isHost()
                && a.event().process().comm().equals("read-and-exit")).toList();
        assertThat(host).as("reads blamed on the host").isEmpty();
    }
}
