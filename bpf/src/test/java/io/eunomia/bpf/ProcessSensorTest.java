package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ExecEvent;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.StreamKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The process sensor, loaded for real, watching real child processes. */
class ProcessSensorTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static KernelSensors sensors;

    @BeforeAll
    static void load() {
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)));
    }

    @AfterAll
    static void unload() {
        if (sensors != null) {
            sensors.close();
        }
    }

    /**
     * A container's root in a btrfs subvolume (podman's btrfs storage, a runc bundle on an openSUSE
     * or Fedora host): the exec record's root (the superblock's s_dev, inode 256, its path) is found
     * on the host, where stat reports the subvolume's own anonymous device. Failed when the
     * directory found was checked by stat's device (never the kernel's s_dev there): not found.
     */
    @Test
    void anExecsRootInABtrfsSubvolumeIsFoundOnTheHost(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        try (io.eunomia.testkit.BtrfsVolume btrfs = io.eunomia.testkit.BtrfsVolume.make(tmp.resolve("btrfs"));
             EventCollector events = new EventCollector(sensors, e -> e instanceof ExecEvent)) {
            Path rootfs = btrfs.subvolume("rootfs");
            Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "--root=" + rootfs,
                    "/bin/busybox", "sh", "-c", "echo one && read a").redirectErrorStream(true).start();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                assertThat(out.readLine()).isEqualTo("one");
                ExecEvent exec = events.await(ExecEvent.class,
                        e -> e.process().pid() == p.pid() && e.exe().endsWith("/bin/busybox"), WAIT);
                assertThat(sensors.execRootOnHost(exec.process().mntnsId())).contains(rootfs);
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void execCarriesPathArgumentsAndStreams() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process p = new ProcessBuilder("/bin/echo", "hello", "", "eunomia world")
                    .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();

            ExecEvent exec = events.await(ExecEvent.class,
                    e -> e.process().pid() == pid && e.exe().endsWith("/echo"), WAIT);
            assertThat(exec.exe()).isEqualTo(Path.of("/bin/echo").toRealPath().toString());
            assertThat(exec.argv()).containsExactly("/bin/echo", "hello", "", "eunomia world");
            assertThat(exec.argc()).isEqualTo(4);
            assertThat(exec.process().comm()).isEqualTo("echo");
            assertThat(exec.process().uid()).isZero();
            assertThat(exec.process().ppid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(exec.stdout()).isEqualTo(StreamKind.PIPE);
            assertThat(exec.process().mntns()).isEqualTo(selfMntns());
            assertThat(exec.result()).isZero();
            assertThat(exec.epochNanos() / 1_000_000).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(10_000L));

            ExitEvent exit = events.await(ExitEvent.class, e -> e.process().pid() == pid, WAIT);
            assertThat(exit.exitCode()).isZero();
        }
    }

    @Test
    void execCarriesTheNoNewPrivsItRanWith() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            // setpriv sets no_new_privs, then execs true: the second exec of that pid has it, the first not.
            Process p = new ProcessBuilder("/usr/bin/setpriv", "--no-new-privs", "/bin/true").start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();

            ExecEvent setpriv = events.await(ExecEvent.class, e -> e.process().pid() == pid && e.exe().endsWith("/setpriv"), WAIT);
            ExecEvent child = events.await(ExecEvent.class, e -> e.process().pid() == pid && e.exe().endsWith("/true"), WAIT);
            assertThat(setpriv.noNewPrivs()).isFalse();
            assertThat(child.noNewPrivs()).isTrue();
        }
    }

    @Test
    void exitCodeAndForkAreReported() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            // The shell forks a child (sleep) and exits with 3.
            Process p = new ProcessBuilder("/bin/sh", "-c", "/bin/sleep 0; exit 3").start();
            long pid = p.pid();
            assertThat(p.waitFor()).isEqualTo(3);

            ForkEvent fork = events.await(ForkEvent.class, e -> e.process().pid() == pid, WAIT);
            ExecEvent sleep = events.await(ExecEvent.class, e -> e.process().pid() == fork.childPid(), WAIT);
            assertThat(sleep.exe()).endsWith("/sleep");
            assertThat(sleep.process().ppid()).isEqualTo(pid);
            ExitEvent exit = events.await(ExitEvent.class, e -> e.process().pid() == pid, WAIT);
            assertThat(exit.exitCode()).isEqualTo(3);
            assertThat(exit.signal()).isZero();
        }
    }

    @Test
    void killedProcessReportsSignal() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process p = new ProcessBuilder("/bin/sleep", "30").start();
            long pid = p.pid();
            events.await(ExecEvent.class, e -> e.process().pid() == pid, WAIT);
            var beforeKill = events.mark();
            p.destroyForcibly().waitFor();
            ExitEvent exit = events.await(beforeKill, ExitEvent.class, e -> e.process().pid() == pid, WAIT);
            assertThat(exit.signal()).isEqualTo(9);
        }
    }

    @Test
    void execNamesAScriptByTheCwdAndReadsEachStdioStream(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            // "sh x.sh": the script is named relative to the cwd the kernel reported; stdin a file,
            // stdout a pipe, stderr /dev/null (a character device, no tty): three different kinds.
            Files.writeString(dir.resolve("x.sh"), "exit 0\n");
            Files.writeString(dir.resolve("in"), "");
            Process p = new ProcessBuilder("/bin/sh", "x.sh").directory(dir.toFile())
                    .redirectInput(dir.resolve("in").toFile()).redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            ExecEvent exec = events.await(ExecEvent.class,
                    e -> e.process().pid() == pid && e.argv().equals(List.of("/bin/sh", "x.sh")), WAIT);
            assertThat(exec.script()).isEqualTo(dir.toRealPath().resolve("x.sh").toString());
            assertThat(List.of(exec.stdin(), exec.stdout(), exec.stderr()))
                    .containsExactly(StreamKind.FILE, StreamKind.PIPE, StreamKind.CHAR);
        }
    }

    @Test
    void failedExecIsReportedWithItsErrorAndArguments(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            // The shell tries a missing program by a relative path from its cwd: -ENOENT.
            Process p = new ProcessBuilder("/bin/sh", "-c", "cd " + dir + " && exec ./sub/../missing-tool --x y")
                    .start();
            long pid = p.pid();
            assertThat(p.waitFor()).isNotZero();
            ExecEvent failed = events.await(ExecEvent.class, e -> e.process().pid() == pid && !e.succeeded(), WAIT);
            assertThat(failed.result()).isEqualTo(-2);
            assertThat(failed.exe()).isEqualTo(dir.toRealPath().resolve("missing-tool").toString());
            assertThat(failed.argv()).containsExactly("./sub/../missing-tool", "--x", "y");
        }
    }

    @Test
    void mountNamespaceIdsAreNeverReused() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            // Two short-lived namespaces one after the other: the kernel may hand out the same
            // inode number again, but never the same id.
            long[] ids = new long[2];
            for (int i = 0; i < 2; i++) {
                var before = events.mark();
                Process p = new ProcessBuilder("unshare", "-m", "/bin/true").start();
                long pid = p.pid();
                assertThat(p.waitFor()).isZero();
                ExecEvent exec = events.await(before, ExecEvent.class,
                        e -> e.process().pid() == pid && e.exe().endsWith("/true"), WAIT);
                assertThat(exec.process().mntns()).isNotEqualTo(selfMntns());
                ids[i] = exec.process().mntnsId();
            }
            assertThat(ids[0]).isPositive();
            assertThat(ids[1]).isPositive().isNotEqualTo(ids[0]);
        }
    }

    @Test
    void filelessExecNamesTheMemfdNotARootPath() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            String script = "import os\n"
                    + "fd = os.memfd_create('eunomia-fileless')\n"
                    + "os.write(fd, open('/bin/true', 'rb').read())\n"
                    + "os.execv('/proc/self/fd/%d' % fd, ['fileless'])\n";
            Process p = new ProcessBuilder("python3", "-c", script).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            ExecEvent exec = events.await(ExecEvent.class,
                    e -> e.process().pid() == pid && e.argv().equals(List.of("fileless")), WAIT);
            assertThat(exec.exe()).isEqualTo("memfd:eunomia-fileless");
        }
    }

    @Test
    void ownProcessIsNeverReported() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process p = new ProcessBuilder("/bin/true").start();
            long pid = p.pid();
            p.waitFor();
            events.await(ExitEvent.class, e -> e.process().pid() == pid, WAIT);
            long self = ProcessHandle.current().pid();
            List<?> own = events.drain().stream().filter(e -> e.process().pid() == self).toList();
            assertThat(own).isEmpty();
        }
    }

    static long selfMntns() throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(); // mnt:[4026531841]
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }
}
