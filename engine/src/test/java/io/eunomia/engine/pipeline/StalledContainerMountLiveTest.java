package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import io.eunomia.testkit.StallingMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A runc container whose /etc holds a FUSE mount whose daemon never answers (stallfs: as below a
 * hung FUSE daemon or NFS server), where the look at the container's files walks. Meanwhile another
 * container reads its /etc/shadow through a hard link its image brings, every half second (named
 * only once that container's files were looked at) and a host process reads the host's /etc/shadow: both alerts
 * arrive, the stalled container costs no thread for ever (its mount is counted as skipped in
 * eunomia_path_walks_skipped_total{reason="container_root_timeout"}), and the monitor closes
 * promptly. The test then ends the daemon.
 */
class StalledContainerMountLiveTest {
    private static final String READ = "Read sensitive file";
    private static final Duration WAIT = Duration.ofSeconds(60);  // awaits what the act causes; ends when it comes

    @Test
    void aContainerWithAStalledMountHoldsUpNeitherOtherContainersNorTheHostNorTheMonitorsEnd() throws Exception {
        Path work = Files.createTempDirectory("eunomia-stalled-");
        Path stalledRoot = work.resolve("stalled-rootfs");
        Path otherRoot = work.resolve("other-rootfs");
        BusyboxRootfs.get().copyTo(stalledRoot);
        BusyboxRootfs.get().copyTo(otherRoot);
        Files.writeString(otherRoot.resolve("etc/shadow"), "root:*:1::::::\n");
        Files.createDirectories(otherRoot.resolve("srv"));
        Files.createLink(otherRoot.resolve("srv/innocent"), otherRoot.resolve("etc/shadow"));
        StallingMount stalled = StallingMount.at(Files.createDirectories(stalledRoot.resolve("etc/stall")));
        Monitor monitor = null;
        try (Runc runc = new Runc()) {
            InMemoryOutput out = new InMemoryOutput();
            monitor = Monitor.start(new RuleLoader(List.of(), true), out,
                    Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o);
            Recorder.Mark mark = out.mark();
            long skippedBefore = monitor.sensors().pathResolutionStats().containerRootTimeouts();
            // Its exec starts the look at its files; the runtime's recursive bind of its root brings the mount along.
            RunningContainer stalling = runc.start(OciRuntime.uniqueId("stalled"), ContainerSpec.of("sleep", "300")
                    .withConfigEdit(config -> rootAt(config, stalledRoot)));
            // Reads on until named: once its files were looked at, each read is named in the kernel (an early
            // one waits for the look 2 s at most, which a loaded machine's queue of looks may exceed).
            String other = OciRuntime.uniqueId("other");
            RunningContainer reading = runc.start(other, ContainerSpec.of("sh", "-c",
                            "while :; do cat /srv/innocent >/dev/null; sleep 0.5; done")
                    .withConfigEdit(config -> rootAt(config, otherRoot)));
            Process host = new ProcessBuilder("head", "-c", "1", "/etc/shadow").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(host.waitFor(60, TimeUnit.SECONDS)).isTrue();

            out.awaitAfter(mark, READ, a -> a.container().id().equals(other) && a.output().contains("file=/etc/shadow"), WAIT);
            out.awaitAfter(mark, READ, a -> a.container().isHost() && a.event().process().pid() == host.pid(), WAIT);
            // Its look may come after the other's (one scanner thread, others' containers queued too): await it.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (monitor.sensors().pathResolutionStats().containerRootTimeouts() == skippedBefore
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(monitor.sensors().pathResolutionStats().containerRootTimeouts() - skippedBefore)
                    .as("the stalled mount counted as skipped").isPositive();
            reading.close();
            stalling.close();

            long t0 = System.nanoTime();
            monitor.close();
            monitor = null;
            long closeMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("StalledContainerMountLiveTest: monitor closed in " + closeMillis + " ms");
            assertThat(Thread.getAllStackTraces().keySet()).as("no container look left running")
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith("eunomia-container-"));
        } finally {
            if (monitor != null) {
                monitor.close();
            }
            stalled.close();
            LiveProcesses.deleteTree(work);
        }
    }

    private static void rootAt(ObjectNode config, Path rootfs) {
        ((ObjectNode) config.get("root")).put("path", rootfs.toString()).put("readonly", true);
    }
}
