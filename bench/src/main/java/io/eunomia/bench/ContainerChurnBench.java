package io.eunomia.bench;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.event.FileEvent;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether containers starting keep the host's events waiting: a host loop reads /etc/shadow
 * through a hard link every 20 ms while the file and process sensors run; the lag of those events
 * (delivery time minus the kernel's timestamp) is taken first with no container starting, then
 * while runc containers start one after the other (each one's files looked at, at its first
 * exec). Also the looks' own time, which the decoding thread spent inline before they moved to a
 * thread of their own. Wall-clock lags: read them with the load average printed.
 */
final class ContainerChurnBench {
    private ContainerChurnBench() {}

    static void run(boolean quick) throws Exception {
        int containers = quick ? 6 : 20;
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "eunomia-churn-");
        Path link = dir.resolve("shadow-link");
        Files.createLink(link, Path.of("/etc/shadow"));
        SensorOptions options = SensorOptions.of(EnumSet.of(Sensor.FILE, Sensor.PROCESS))
                .withReadPrefixes(Optional.of(List.of("/etc/shadow")));
        List<Long> lags = Collections.synchronizedList(new ArrayList<>());
        Process reader = null;
        try (KernelSensors sensors = KernelSensors.start(options); Runc runc = new Runc()) {
            sensors.subscribe(e -> e instanceof FileEvent f && f.path().equals("/etc/shadow")
                    && f.newPath().equals(link.toString()), e -> lags.add(nowNanos() - e.epochNanos()));
            reader = new ProcessBuilder("sh", "-c", "while :; do cat " + link + " >/dev/null; sleep 0.02; done").start();
            Thread.sleep(3000);  // warm-up: the first events pay class loading and the JIT
            drain(lags);
            Thread.sleep(quick ? 3000 : 8000);
            List<Long> quiet = drain(lags);
            KernelSensors.IdentityWatchStats before = sensors.identityWatchStats();
            long t0 = System.nanoTime();
            for (int i = 0; i < containers; i++) {
                // Alive long enough to be looked at (a container gone before its exec is decoded is not).
                runc.run(OciRuntime.uniqueId("churn"), ContainerSpec.of("sh", "-c", "cat /etc/hostname; sleep 0.3"),
                        Duration.ofSeconds(30));
            }
            double churnSeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(500);
            List<Long> churn = drain(lags);
            KernelSensors.IdentityWatchStats after = sensors.identityWatchStats();
            long looks = after.looks() - before.looks();
            System.out.println();
            System.out.printf("Container churn: host reads through a hard link every 20 ms, %d runc containers in %.1f s"
                    + " (%s)%n", containers, churnSeconds, Uptime.now());
            System.out.printf("%-34s %8s %10s %10s %10s%n", "phase", "events", "p50 ms", "p99 ms", "max ms");
            print("no container starting", quiet);
            print("containers starting", churn);
            System.out.printf("looks at containers' files: %d, %.2f ms each on their own thread (inline on the decoding"
                    + " thread before), refused %d; opens named late %d%n", looks,
                    looks == 0 ? 0 : (after.lookNanos() - before.lookNanos()) / 1e6 / looks, after.looksRefused(),
                    after.opensNamedLate());
        } finally {
            if (reader != null) {
                reader.destroyForcibly();
                reader.waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(link);
            Files.deleteIfExists(dir);
        }
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static List<Long> drain(List<Long> lags) {
        synchronized (lags) {
            List<Long> out = new ArrayList<>(lags);
            lags.clear();
            Collections.sort(out);
            return out;
        }
    }

    private static void print(String phase, List<Long> sorted) {
        if (sorted.isEmpty()) {
            System.out.printf("%-34s %8d %10s %10s %10s%n", phase, 0, "-", "-", "-");
            return;
        }
        System.out.printf("%-34s %8d %10.2f %10.2f %10.2f%n", phase, sorted.size(), at(sorted, 0.5) / 1e6,
                at(sorted, 0.99) / 1e6, sorted.getLast() / 1e6);
    }

    private static long at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (q * sorted.size())));
    }
}
