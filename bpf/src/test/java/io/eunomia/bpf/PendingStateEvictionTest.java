package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.testkit.EvasionProbe;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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
 * Calls blocked in the kernel all at once must not lose their events to each other's per-call state.
 * A connect's sockaddr waits from its enter to its exit in its thread's own task-local slot
 * (pending_addr), which no other thread's call can push out (it used to be an LRU hash, where the
 * oldest of more blocked connects than it held were evicted and counted lost). The file sensor's
 * opens keep no per-call state (their programs run at exit only, the arguments read from the saved
 * registers). The calls are real: blocking connects (net sensor) to a listener whose accept queue
 * is full (the kernel drops their SYNs, so each waits inside connect), and blocking FIFO opens,
 * CALLERS of each inside the call at the same time: every one is reported, none counted lost. A path
 * call's texts read at entry (entry_texts) are such state too, in the thread's own task-local slot:
 * it was an LRU hash of 512 slots, and a caller whose rename waited in the kernel could start more
 * threads making path calls than that, push its own slot out and have its event carry the text it
 * rewrote, unflagged.
 */
class PendingStateEvictionTest {
    private static final int MAP_ENTRIES = 4;
    private static final int CALLERS = 16;
    private static final int PATH_CALLERS = 600;
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final boolean ARM64 = System.getProperty("os.arch").equals("aarch64");
    /** openat's and connect's numbers, as /proc/PID/syscall shows them. */
    private static final String OPENAT = ARM64 ? "56 " : "257 ";
    private static final String CONNECT = ARM64 ? "203 " : "42 ";

    @TempDir
    Path tmp;

    @Test
    void blockedConnectsAllKeepTheirAddressUntilTheirExit() throws Exception {
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.NET)));
             EventCollector events = new EventCollector(sensors, e -> e instanceof NetEvent);
             // Backlog 1 and never accepted: two connections fill the accept queue (Java takes 0 as 50).
             java.net.ServerSocket listener = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             java.net.Socket filler1 = new java.net.Socket("127.0.0.1", listener.getLocalPort());
             java.net.Socket filler2 = new java.net.Socket("127.0.0.1", listener.getLocalPort())) {
            long evictedBefore = sensors.evictedBySensor().get("net");
            int port = listener.getLocalPort();
            List<Process> clients = new ArrayList<>();
            Set<Long> pids = new HashSet<>();
            try {
                for (int i = 0; i < CALLERS; i++) {
                    Process p = new ProcessBuilder("python3", "-c", """
                            import socket, sys
                            try:
                                socket.socket().connect(('127.0.0.1', int(sys.argv[1])))  # blocking
                            except OSError:
                                pass
                            """, Integer.toString(port)).start();
                    clients.add(p);
                    pids.add(p.pid());
                }
                for (Process p : clients) {
                    awaitInside(p, CONNECT);
                }
                // Closing the listener: each client's next SYN is refused, and its connect returns.
                listener.close();
                for (Process p : clients) {
                    assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
                }
            } finally {
                clients.forEach(Process::destroyForcibly);
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            Set<Long> seen = new HashSet<>();
            do {
                Thread.sleep(100);
                for (var e : events.drain()) {
                    // The address each asked for, kept from its enter (the refused call left none in the socket).
                    if (e instanceof NetEvent n && n.op() == NetOp.CONNECT && pids.contains((long) n.process().pid())
                            && n.remotePort() == port) {
                        seen.add((long) n.process().pid());
                    }
                }
            } while (seen.size() < CALLERS && System.nanoTime() < deadline);
            assertThat(seen).as("blocked connects reported").hasSize(CALLERS);
            assertThat(sensors.evictedBySensor().get("net") - evictedBefore).as("connects counted as lost").isZero();
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
                for (int i = 0; i < CALLERS; i++) {
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
                    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
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
            } while (reported < CALLERS && System.nanoTime() < deadline);
            assertThat(reported).isEqualTo(CALLERS);
            assertThat(sensors.evictedBySensor().get("file") - evictedBefore).isZero();
        }
    }

    @Test
    void moreThreadsMakingPathCallsThanTheOldMapHeldCannotPushAWaitingCallsEntryTextsOut() throws Exception {
        Path dir = tmp.toRealPath();
        Path old = Files.writeString(dir.resolve("held-old"), "x");
        Path copied = dir.resolve("held-new");
        Path benign = dir.resolve("held-benign");
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE)));
             EventCollector events = new EventCollector(sensors, e -> e instanceof FileEvent)) {
            long evictedBefore = sensors.evictedBySensor().get("file");
            // A rename that waits inside the kernel (its first path in a userfaultfd page) after its entry
            // kept its texts; its second buffer is turned into the benign path while it waits.
            Process held = new ProcessBuilder(EvasionProbe.binary().toString(), "path-flip", "rename", old.toString(),
                    copied.toString(), benign.toString(), "hold").redirectErrorStream(true).start();
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(held.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(lines.readLine()).isEqualTo("waiting");
                // More threads than the old LRU map held (512) make a watched path call each (an unlink of nothing).
                Process others = new ProcessBuilder("python3", "-c", """
                        import os, sys, threading
                        def unlink(i):
                            try:
                                os.unlink(sys.argv[1] + '/missing-%d' % i)
                            except FileNotFoundError:
                                pass
                        ts = [threading.Thread(target=unlink, args=(i,)) for i in range(int(sys.argv[2]))]
                        [t.start() for t in ts]
                        [t.join() for t in ts]
                        """, dir.toString(), Integer.toString(PATH_CALLERS)).inheritIO().start();
                assertThat(others.waitFor()).isZero();
                held.getOutputStream().write('\n');
                held.getOutputStream().flush();
                assertThat(held.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                held.destroyForcibly();
            }
            assertThat(Files.exists(copied)).as("the kernel renamed to the text it copied").isTrue();
            FileEvent e = events.await(FileEvent.class, f -> f.process().pid() == held.pid() && f.op() == FileOp.RENAME, WAIT);
            assertThat(e.newPath()).as("the entry's text: its slot was still there at exit").isEqualTo(copied.toString());
            assertThat(e.textChanged()).isTrue();
            // Counted at the rename's exit, before its record was sent: read after the event came.
            assertThat(sensors.evictedBySensor().get("file") - evictedBefore).as("path calls counted as lost").isZero();
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
