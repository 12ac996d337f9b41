package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call's arguments wait in an LRU map (pending_args) from its enter to its exit. When more threads
 * are inside watched calls at once than the map holds, the oldest entries are pushed out and those
 * calls' events cannot be built: each such loss is counted (drops, reason "evicted"), never silent.
 * The map is made small on purpose; the calls are real opens of a FIFO, which block until a writer
 * comes, so all of them are inside the call at the same time.
 */
class PendingStateEvictionTest {
    private static final int MAP_ENTRIES = 4;
    private static final int READERS = 16;
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** openat's number, as /proc/PID/syscall shows it. */
    private static final String OPENAT = System.getProperty("os.arch").equals("aarch64") ? "56 " : "257 ";

    @TempDir
    Path tmp;

    @Test
    void callsWhoseStateWasEvictedAreCountedAsLost() throws Exception {
        Path fifo = tmp.toRealPath().resolve("fifo");
        mkfifo(fifo);
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE))
                .withMapEntries("pending_args", MAP_ENTRIES));
             EventCollector events = new EventCollector(sensors, e -> e instanceof FileEvent)) {
            long evictedBefore = sensors.evictedBySensor().get("file");
            long lostBefore = sensors.lostBySensor().get("file");
            List<Process> readers = new ArrayList<>();
            try {
                for (int i = 0; i < READERS; i++) {
                    readers.add(new ProcessBuilder("cat", fifo.toString()).redirectErrorStream(true).start());
                }
                for (Process p : readers) {
                    awaitInsideOpen(p);
                }
                // One writer releases every reader's open at once; closing it gives them EOF.
                try (FileOutputStream w = new FileOutputStream(fifo.toFile())) {
                    w.flush();
                }
                for (Process p : readers) {
                    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                }
            } finally {
                readers.forEach(Process::destroyForcibly);
            }
            Set<Long> pids = new HashSet<>();
            readers.forEach(p -> pids.add(p.pid()));
            long deadline = System.nanoTime() + WAIT.toNanos();
            int reported;
            long evicted;
            do {
                Thread.sleep(100);
                reported = reportedOpens(events, pids, fifo);
                evicted = sensors.evictedBySensor().get("file") - evictedBefore;
            } while (reported + evicted < READERS && System.nanoTime() < deadline);
            // At most MAP_ENTRIES of the blocked opens kept their entry; every other one is counted.
            assertThat(evicted).as("opens counted as lost (%d reported)", reported)
                    .isGreaterThanOrEqualTo(READERS - MAP_ENTRIES);
            assertThat(reported + evicted).as("reported + counted").isGreaterThanOrEqualTo(READERS);
            assertThat(sensors.lostBySensor().get("file") - lostBefore).as("in the sensor's loss total")
                    .isGreaterThanOrEqualTo(evicted);
        }
    }

    private static int reportedOpens(EventCollector events, Set<Long> pids, Path fifo) {
        Set<Long> seen = new HashSet<>();
        for (var e : events.drain()) {
            if (e instanceof FileEvent f && f.op() == FileOp.OPEN && pids.contains((long) f.process().pid())
                    && f.path().equals(fifo.toAbsolutePath().toString())) {
                seen.add((long) f.process().pid());
            }
        }
        return seen.size();
    }

    /** Waits until the process sits in openat (the FIFO has no writer yet): /proc/PID/syscall names the call. */
    private static void awaitInsideOpen(Process p) throws IOException, InterruptedException {
        Path syscall = Path.of("/proc", String.valueOf(p.pid()), "syscall");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String s = Files.readString(syscall, StandardCharsets.US_ASCII);
            if (s.startsWith(OPENAT)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("cat " + p.pid() + " never blocked in openat: " + Files.readString(syscall));
    }

    private static void mkfifo(Path fifo) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }
}
