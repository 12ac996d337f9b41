package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.ExecEvent;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process sensor's losses reach the attribution stage: a runc container's processes are remembered
 * by pid; the poller is held in a subscriber while the host forks and execs far more than the ring
 * holds; once the poller goes on and reads the loss, the remembered pids are forgotten and counted
 * (reason loss). Which pid a lost exit left stale: CgroupMoveAttributionTest.
 */
class ProcessLossForgetsPidsLiveTest {
    private static final int RING_BYTES = 64 * 1024;

    @TempDir
    Path work;

    @Test
    void aLossTheProcessSensorReportsForgetsTheRememberedPids() throws Exception {
        Path stateRoot = work.resolve("runc-root");
        String id = OciRuntime.uniqueId("eun-loss");
        ContainerSources sources = new ContainerSources(List.of(new ContainerSources.StateRoot(stateRoot, "runc")), List.of());
        CountDownLatch lastExec = new CountDownLatch(1);
        AtomicBoolean hold = new AtomicBoolean();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Runc runc = new Runc(stateRoot);
             KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS))
                     .withContainers(sources).withRingBufferBytes(RING_BYTES))) {
            sensors.subscribe(e -> true, e -> {
                if (e instanceof ExecEvent x && e.process().container().id().equals(id) && x.argv().equals(List.of("sleep", "601"))) {
                    lastExec.countDown();
                }
                if (hold.compareAndSet(true, false)) {
                    held.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);   // the poller waits here: the ring fills
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            // Once the container is known, its shell forks a long sleep and execs another: both remembered.
            try (RunningContainer c = runc.start(id, ContainerSpec.of("sh", "-c", "sleep 2; sleep 600 & exec sleep 601"))) {
                assertThat(lastExec.await(30, TimeUnit.SECONDS)).as("the container's last exec, named " + id).isTrue();
                long lostBefore = sensors.lostBySensor().getOrDefault("process", 0L);
                assertThat(sensors.containers().pidsForgottenAfterLoss()).isZero();
                hold.set(true);
                try {
                    // The subscriber holds the poller at the next event it is handed: make one (a quiet host
                    // may fork nothing else for a long while).
                    long holdDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (held.getCount() > 0 && System.nanoTime() < holdDeadline) {
                        new ProcessBuilder("/bin/true").start().waitFor();
                        held.await(200, TimeUnit.MILLISECONDS);
                    }
                    assertThat(held.getCount()).as("the poller held").isZero();
                    Process storm = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 1500 ]; do /bin/true; i=$((i+1)); done")
                            .inheritIO().start();
                    assertThat(storm.waitFor(120, TimeUnit.SECONDS)).isTrue();
                } finally {
                    release.countDown();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (sensors.containers().pidsForgottenAfterLoss() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(sensors.lostBySensor().get("process")).as("the process sensor lost events").isGreaterThan(lostBefore);
                assertThat(sensors.containers().pidsForgottenAfterLoss()).as("the container's pids (sh's sleeps) forgotten")
                        .isGreaterThanOrEqualTo(2);
            }
        }
    }
}
