package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process table's facts (ProcessEnrichment, between decoding and rules) on real processes
 * under the real sensors: ancestors with their command lines, cwd, user name from /etc/passwd,
 * the executable on a non-exec event, start time, capabilities, event numbers.
 */
class ProcessFactsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    @RegisterExtension
    static final LoadedSensors SENSORS = LoadedSensors.shared(Sensor.PROCESS, Sensor.FILE);

    @TempDir
    Path tmp;

    @Test
    void aChildOfANamedShellCarriesItsLineageCwdUserAndExe() throws Exception {
        Path dir = tmp.toRealPath();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path parent = dir.resolve("facts-parent");
        Files.copy(Path.of("/bin/sh"), parent, StandardCopyOption.COPY_ATTRIBUTES);
        Path file = dir.resolve("read-me");
        Files.writeString(file, "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        // only ours: the machine is shared, other tests may flood the sensors
        try (EventCollector events = new EventCollector(SENSORS.get(), e -> e instanceof ExecEvent x && (x.exe().endsWith("/cat") || x.exe().endsWith("/sleep"))
                || e instanceof FileEvent o && o.path().startsWith(dir.toString()))) {
            // as nobody, in dir; "; exit 0" keeps cat a child of the shell; the sleep is ended once its exec came
            String script = "cat read-me >/dev/null; sleep 60; exit 0";
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", parent.toString(), "-c",
                    script).directory(dir.toFile()).start();
            long setpriv = p.pid();
            try {
                ExecEvent cat = events.await(ExecEvent.class, e -> e.exe().endsWith("/cat") && !e.process().facts().ancestors().isEmpty()
                        && e.process().facts().ancestors().getFirst().pid() == setpriv, WAIT);
                ProcessFacts f = cat.process().facts();
                // setpriv exec'd the shell in its own place: the parent is facts-parent with setpriv's pid
                assertThat(f.ancestors().getFirst().name()).isEqualTo("facts-parent");
                assertThat(f.ancestors().getFirst().exe()).isEqualTo(parent.toString());
                assertThat(f.ancestors().getFirst().cmdline()).isEqualTo(parent + " -c " + script);
                assertThat(f.ancestors().get(1).pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(f.ancestors().get(1).name()).isEqualTo(Files.readString(Path.of("/proc/self/comm")).strip());
                // cwd as the kernel resolved it at each exec: cat's too, though it may be gone by the decode
                ExecEvent sleep = events.await(ExecEvent.class, e -> e.exe().endsWith("/sleep") && !e.process().facts().ancestors().isEmpty()
                        && e.process().facts().ancestors().getFirst().pid() == setpriv, WAIT);
                assertThat(sleep.process().facts().cwd()).isEqualTo(dir + "/");
                assertThat(f.cwd()).isEqualTo(dir + "/");
                assertThat(f.userName()).isEqualTo("nobody");
                assertThat(f.startNanos()).isPositive().isLessThanOrEqualTo(cat.epochNanos());
                assertThat(f.capEffective()).isZero(); // nobody, no capabilities
                assertThat(f.eventNum()).isPositive();

                FileEvent open = events.await(FileEvent.class, e -> e.process().pid() == cat.process().pid() && e.op() == FileOp.OPEN
                        && e.path().equals(file.toString()), WAIT);
                assertThat(open.process().facts().exe()).endsWith("/cat");
                assertThat(open.process().facts().cmdline()).isEqualTo("cat read-me");
                assertThat(open.process().facts().ancestors().getFirst().name()).isEqualTo("facts-parent");
                assertThat(open.process().facts().eventNum()).isGreaterThan(f.eventNum());
                p.children().forEach(ProcessHandle::destroy);  // the sleep: the shell goes on to its exit 0
                assertThat(p.waitFor()).isZero();
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    @Test
    void theCredentialsTheKernelReadAtTheExecAreWhatProcStatusSays() throws Exception {
        Path dir = tmp.toRealPath();
        Path program = dir.resolve("creds-sleep");   // a name of our own: the machine is shared
        Files.copy(Path.of("/bin/sleep"), program, StandardCopyOption.COPY_ATTRIBUTES);
        try (EventCollector events = new EventCollector(SENSORS.get(), e -> e instanceof ExecEvent x && x.exe().equals(program.toString()))) {
            // root with a smaller bounding set: capabilities that differ from the test's own. It runs until
            // stopped below: its /proc/PID/status is read after its exec's event came, however late that is.
            Process p = new ProcessBuilder("setpriv", "--inh-caps=-all", "--bounding-set=-net_raw,-sys_ptrace", program.toString(),
                    "infinity").start();
            try {
                ExecEvent x = events.await(ExecEvent.class, e -> e.process().pid() == p.pid(), WAIT);
                String status = Files.readString(Path.of("/proc", Long.toString(p.pid()), "status"));
                assertThat(x.credentials()).isNotNull();
                assertThat(x.credentials().capEffective()).isEqualTo(statusHex(status, "CapEff:"));
                assertThat(x.credentials().capPermitted()).isEqualTo(statusHex(status, "CapPrm:"));
                assertThat(x.credentials().capEffective() & (1L << 13)).isZero();   // CAP_NET_RAW dropped from the bounding set
                assertThat(x.credentials().seccompMode()).isZero();
                assertThat(x.credentials().vpid()).isEqualTo((int) p.pid());     // the host's pid namespace
                ProcessFacts f = x.process().facts();
                assertThat(f.capEffective()).isEqualTo(x.credentials().capEffective());
                assertThat(f.capPermitted()).isEqualTo(x.credentials().capPermitted());
                assertThat(f.vpid()).isEqualTo((int) p.pid());
                assertThat(f.seccomp()).isZero();
            } finally {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }

    private static long statusHex(String status, String field) {
        return status.lines().filter(l -> l.startsWith(field)).map(l -> Long.parseUnsignedLong(l.substring(field.length()).strip(), 16))
                .findFirst().orElseThrow();
    }
}
