package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
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
 * The map is made small on purpose; the calls are real blocking accepts (net sensor), all inside the
 * call at the same time. The file sensor keeps no such state (its programs run at exit only, the
 * arguments read from the saved registers): the same number of blocked FIFO opens all come.
 */
class PendingStateEvictionTest {
    private static final int MAP_ENTRIES = 4;
    private static final int READERS = 16;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final boolean ARM64 = System.getProperty("os.arch").equals("aarch64");
    /** openat's and accept4's numbers, as /proc/PID/syscall shows them. */
    private static final String OPENAT = ARM64 ? "56 " : "257 ";
    private static final String ACCEPT4 = ARM64 ? "242 " : "288 ";

    @TempDir
    Path tmp;

    @Test
    void callsWhoseStateWasEvictedAreCountedAsLost() throws Exception {
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.NET))
                .withMapEntries("pending_args", MAP_ENTRIES));
             EventCollector events = new EventCollector(sensors, e -> e instanceof NetEvent)) {
            long evictedBefore = sensors.evictedBySensor().get("net");
            long lostBefore = sensors.lostBySensor().get("net");
            List<Process> servers = new ArrayList<>();
            Set<Long> pids = new HashSet<>();
            try {
                List<Integer> ports = new ArrayList<>();
                for (int i = 0; i < READERS; i++) {
                    Process p = new ProcessBuilder("python3", "-c", """
                            import socket
                            s = socket.socket()
                            s.bind(('127.0.0.1', 0))
                            s.listen(1)
                            print(s.getsockname()[1], flush=True)
                            s.accept()[0].close()
                            """).start();
                    servers.add(p);
                    pids.add(p.pid());
                    ports.add(Integer.parseInt(new java.io.BufferedReader(
                            new java.io.InputStreamReader(p.getInputStream())).readLine().trim()));
                }
                for (Process p : servers) {
                    awaitInside(p, ACCEPT4);
                }
                for (int port : ports) {
                    try (java.net.Socket c = new java.net.Socket("127.0.0.1", port)) {
                        c.getOutputStream().flush();
                    }
                }
                for (Process p : servers) {
                    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                }
            } finally {
                servers.forEach(Process::destroyForcibly);
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            Set<Long> seen = new HashSet<>();
            long evicted;
            do {
                Thread.sleep(100);
                for (var e : events.drain()) {
                    if (e instanceof NetEvent n && n.op() == NetOp.ACCEPT && pids.contains((long) n.process().pid())) {
                        seen.add((long) n.process().pid());
                    }
                }
                evicted = sensors.evictedBySensor().get("net") - evictedBefore;
            } while (seen.size() + evicted < READERS && System.nanoTime() < deadline);
            // At most MAP_ENTRIES of the blocked accepts kept their entry; every other one is counted.
            assertThat(evicted).as("accepts counted as lost (%d reported)", seen.size())
                    .isGreaterThanOrEqualTo(READERS - MAP_ENTRIES);
            assertThat(seen.size() + evicted).as("reported + counted").isGreaterThanOrEqualTo(READERS);
            assertThat(sensors.lostBySensor().get("net") - lostBefore).as("in the sensor's loss total")
                    .isGreaterThanOrEqualTo(evicted);
        }
    }

    @Test
    void fileCallsKeepNoPerCallStateSoBlockedOpensAreNeverEvicted() throws Exception {
        Path fifo = tmp.toRealPath().resolve("fifo");
        mkfifo(fifo);
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE))
                .withMapEntries("pending_args", MAP_ENTRIES));
             EventCollector events = new EventCollector(sensors, e -> e instanceof FileEvent)) {
            long evictedBefore = sensors.evictedBySensor().get("file");
            List<Process> readers = new ArrayList<>();
            try {
                for (int i = 0; i < READERS; i++) {
                    readers.add(new ProcessBuilder("cat", fifo.toString()).redirectErrorStream(true).start());
                }
                for (Process p : readers) {
                    awaitInside(p, OPENAT);
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
            do {
                Thread.sleep(100);
                reported = reportedOpens(events, pids, fifo);
            } while (reported < READERS && System.nanoTime() < deadline);
            assertThat(reported).isEqualTo(READERS);
            assertThat(sensors.evictedBySensor().get("file") - evictedBefore).isZero();
        }
    }

    private final Set<Long> seenOpens = new HashSet<>();

    private int reportedOpens(EventCollector events, Set<Long> pids, Path fifo) {
        Set<Long> seen = seenOpens;
        for (var e : events.drain()) {
            if (e instanceof FileEvent f && f.op() == FileOp.OPEN && pids.contains((long) f.process().pid())
                    && f.path().equals(fifo.toAbsolutePath().toString())) {
                seen.add((long) f.process().pid());
            }
        }
        return seen.size();
    }

    /** Waits until the process sits in the call numbered nr: /proc/PID/syscall names the call. */
    private static void awaitInside(Process p, String nr) throws IOException, InterruptedException {
        Path syscall = Path.of("/proc", String.valueOf(p.pid()), "syscall");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String s = Files.readString(syscall, StandardCharsets.US_ASCII);
            if (s.startsWith(nr)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(p.pid() + " never blocked in call " + nr.trim() + ": " + Files.readString(syscall));
    }

    private static void mkfifo(Path fifo) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }
}
