package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The parent's name in the event header (proc.pname), read in the kernel, on real processes. */
class ParentNameTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    @RegisterExtension
    static final LoadedSensors SENSORS = LoadedSensors.shared(Sensor.PROCESS, Sensor.FILE);

    @TempDir
    Path tmp;

    @Test
    void execAndOpenOfAChildCarryTheParentsName() throws Exception {
        // A shell under a name of our own, so the name can only have come from the parent.
        Path parent = tmp.toRealPath().resolve("pname-parent");
        Files.copy(Path.of("/bin/sh"), parent, StandardCopyOption.COPY_ATTRIBUTES);
        Path file = tmp.toRealPath().resolve("read-me");
        Files.writeString(file, "x");
        try (EventCollector events = new EventCollector(SENSORS.get(), e -> true)) {
            // "; exit 0" keeps the shell from exec'ing cat in its own place: cat is its child.
            Process p = new ProcessBuilder(parent.toString(), "-c", "/bin/cat " + file + " >/dev/null; exit 0").start();
            long shell = p.pid();
            assertThat(p.waitFor()).isZero();

            ExecEvent cat = events.await(ExecEvent.class,
                    e -> e.process().ppid() == shell && e.exe().endsWith("/cat"), WAIT);
            assertThat(cat.process().comm()).isEqualTo("cat");
            assertThat(cat.process().pcomm()).isEqualTo("pname-parent");
            FileEvent open = events.await(FileEvent.class, e -> e.process().pid() == cat.process().pid()
                    && e.op() == FileOp.OPEN && e.path().equals(file.toString()), WAIT);
            assertThat(open.process().pcomm()).isEqualTo("pname-parent");

            // The shell's parent is this JVM (which starts jspawnhelper, which execs the shell).
            ExecEvent shellExec = events.await(ExecEvent.class,
                    e -> e.process().pid() == shell && e.exe().equals(parent.toString()), WAIT);
            assertThat(shellExec.process().pcomm()).isEqualTo(Files.readString(Path.of("/proc/self/comm")).strip());
        }
    }

    @Test
    void aRenamedThreadThatForksIsNotTheParentsName() throws Exception {
        // The kernel's real_parent is the forking thread; proc.pname is the process's name, as
        // /proc/PPID/comm shows it.
        String script = """
                import ctypes, subprocess, threading
                def spawn():
                    ctypes.CDLL(None).prctl(15, b'pname-thread', 0, 0, 0)  # PR_SET_NAME
                    subprocess.run(['/bin/true'], check=True)
                t = threading.Thread(target=spawn)
                t.start()
                t.join()
                print(open('/proc/self/comm').read().strip())
                """;
        try (EventCollector events = new EventCollector(SENSORS.get(), e -> true)) {
            Process p = new ProcessBuilder("python3", "-c", script).start();
            long python = p.pid();
            String leader = new String(p.getInputStream().readAllBytes()).strip();
            assertThat(p.waitFor()).isZero();
            assertThat(leader).isNotEmpty().isNotEqualTo("pname-thread");

            ExecEvent child = events.await(ExecEvent.class,
                    e -> e.process().ppid() == python && e.exe().endsWith("/true"), WAIT);
            assertThat(child.process().pcomm()).isEqualTo(leader);
        }
    }
}
