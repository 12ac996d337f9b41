package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The sensor poller's rounds end while a flood it cannot keep up with lasts. libbpf's consume and
 * poll return only once they find the ring empty, which such a flood never lets happen: the round
 * went on for the flood's whole length, and what a round's end does (batching subscribers, the
 * rules' intake among them, hand their events on; events held for a look are released) waited for
 * the flood to stop: a cat's read of /etc/shadow made during it alerted only after it.
 */
class PollerRoundsTest {
    @Test
    void roundsEndWhileAFloodTheReaderCannotKeepUpWithLasts() throws Exception {
        // Scoped to a mount namespace of ours: the host's records are not the flood.
        Process holder = new ProcessBuilder("/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sleep", "600").start();
        Process flood = null;
        try {
            long ns = CapSensorTest.awaitOwnMountNamespace(holder);
            try (KernelSensors scoped = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE)).withMntns(ns)
                    .withRingBufferBytes(1 << 20))) {
                AtomicLong events = new AtomicLong();
                AtomicLong rounds = new AtomicLong();
                // A reader slower than any flood: 2 ms per event, at most 500 a second.
                scoped.subscribe(e -> true, e -> {
                    events.incrementAndGet();
                    LockSupport.parkNanos(2_000_000);
                }, rounds::incrementAndGet);
                flood = new ProcessBuilder("/usr/bin/nsenter", "--mount=/proc/" + holder.pid() + "/ns/mnt", "/bin/sh", "-c",
                        "while :; do : < /etc/shadow; done").start();
                // The flood overflowed the reader: records shed, the ring three quarters full.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (floodShed(scoped) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                long shed = floodShed(scoped);
                assertThat(shed).as("file records shed: the flood outpaces the reader").isPositive();
                long before = rounds.get();
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (rounds.get() < before + 10 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(flood.isAlive()).as("the flood still runs").isTrue();
                assertThat(rounds.get() - before).as("rounds ended while the flood lasted (events taken: %d)", events.get())
                        .isGreaterThanOrEqualTo(10);
                assertThat(floodShed(scoped)).as("the flood still overflowed the reader").isGreaterThan(shed);
            }
        } finally {
            if (flood != null) {
                flood.destroyForcibly().waitFor();
            }
            holder.destroyForcibly().waitFor();
        }
    }

    private static long floodShed(KernelSensors sensors) {
        return sensors.shedBySensor().getOrDefault("file", Map.of()).getOrDefault("flood", 0L);
    }
}
