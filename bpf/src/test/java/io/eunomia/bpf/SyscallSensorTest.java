package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.SyscallEvent;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import io.eunomia.testkit.EvasionProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The privilege syscall sensor, loaded for real, watching real child processes. */
class SyscallSensorTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String PYTHON = "/usr/bin/python3";
    private static final String NOBODY = "65534";
    private static final long EPERM = 1;
    private static final long CLONE_NEWNS = 0x20000;
    private static KernelSensors sensors;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        // This kernel has no module support: module-call attempts are only visible through the fallback.
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.SYSCALL)).withModuleFallback(true));
    }

    @AfterAll
    static void unload() {
        if (sensors != null) {
            sensors.close();
        }
    }

    /** Runs the command, checks its exit code, and returns the first matching event of its pid. */
    private SyscallEvent run(int exitCode, Predicate<SyscallEvent> match, String... command) throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            long pid = p.pid();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("exit code of %s, output: %s", List.of(command), output).isEqualTo(exitCode);
            return events.await(SyscallEvent.class, e -> e.process().pid() == pid && match.test(e), WAIT);
        }
    }

    private static String[] python(String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", script));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    private static String[] asNobody(String... command) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups"));
        cmd.addAll(List.of(command));
        return cmd.toArray(String[]::new);
    }

    @Test
    void setuidToRootByNobodyFailsWithEperm() throws Exception {
        SyscallEvent e = run(1, s -> s.syscall().equals("setuid"),
                asNobody(python("import os, sys\ntry: os.setuid(0)\nexcept PermissionError: sys.exit(1)")));
        assertThat(e.args()).containsEntry("uid", 0L);
        assertThat(e.result()).isEqualTo(-EPERM);
        assertThat(e.succeeded()).isFalse();
        assertThat(e.process().uid()).isEqualTo(65534);
        assertThat(e.number()).isEqualTo(SyscallTable.of(Arch.current()).number("setuid").orElseThrow());
    }

    @Test
    void setuidByRootSucceeds() throws Exception {
        SyscallEvent e = run(0, s -> s.syscall().equals("setuid"), python("import os\nos.setuid(65534)"));
        assertThat(e.args()).containsExactly(Map.entry("uid", 65534L), Map.entry("prev_uid", 0L), Map.entry("prev_euid", 0L),
                Map.entry("prev_suid", 0L));
        assertThat(e.result()).isZero();
        assertThat(e.process().uid()).isEqualTo(65534);
    }

    @Test
    void setuidToRootByNonRootWithCapSetuidCarriesTheIdsFromBeforeTheCall() throws Exception {
        // nobody keeping CAP_SETUID across its exec (ambient): setuid(0) works
        SyscallEvent e = run(0, s -> s.syscall().equals("setuid"), "/usr/bin/setpriv", "--reuid=" + NOBODY,
                "--regid=" + NOBODY, "--clear-groups", "--inh-caps=+setuid", "--ambient-caps=+setuid",
                PYTHON, "-c", "import os\nos.setuid(0)");
        assertThat(e.result()).isZero();
        assertThat(e.process().uid()).isZero(); // the header: after the call
        assertThat(e.process().euid()).isZero();
        assertThat(e.args()).containsExactly(Map.entry("uid", 0L), Map.entry("prev_uid", 65534L),
                Map.entry("prev_euid", 65534L), Map.entry("prev_suid", 65534L));
    }

    @Test
    void previousIdsAreRealEffectiveAndSavedInThatOrder() throws Exception {
        // distinct real, effective and saved ids, then a call that changes nothing reports them
        String script = """
                import os
                os.setresgid(1, 2, 3)
                os.setresuid(4, 5, 6)
                os.setresgid(-1, -1, -1)
                os.setresuid(-1, -1, -1)
                """;
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(python(script)).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            SyscallEvent gid = events.await(SyscallEvent.class, e -> e.process().pid() == p.pid()
                    && e.syscall().equals("setresgid") && e.arg("rgid", 0) == -1, WAIT);
            SyscallEvent uid = events.await(SyscallEvent.class, e -> e.process().pid() == p.pid()
                    && e.syscall().equals("setresuid") && e.arg("ruid", 0) == -1, WAIT);
            assertThat(gid.args()).containsEntry("prev_gid", 1L).containsEntry("prev_egid", 2L).containsEntry("prev_sgid", 3L);
            assertThat(uid.args()).containsEntry("prev_uid", 4L).containsEntry("prev_euid", 5L).containsEntry("prev_suid", 6L);
        }
    }

    @Test
    void setresuidCarriesAllThreeIdsAndUnchangedIsMinusOne() throws Exception {
        SyscallEvent e = run(0, s -> s.syscall().equals("setresuid"), python("import os\nos.setresuid(-1, 65534, -1)"));
        assertThat(e.args()).containsEntry("ruid", -1L).containsEntry("euid", 65534L).containsEntry("suid", -1L);
        assertThat(e.result()).isZero();
    }

    @Test
    void ptraceAttachNamesItsTarget() throws Exception {
        String script = """
                import ctypes, os, subprocess
                libc = ctypes.CDLL(None, use_errno=True)
                libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
                t = subprocess.Popen(["/bin/sleep", "30"])
                print(t.pid, flush=True)
                assert libc.ptrace(16, t.pid, None, None) == 0, ctypes.get_errno()   # PTRACE_ATTACH
                os.waitpid(t.pid, 0)
                libc.ptrace(17, t.pid, None, None)                                     # PTRACE_DETACH
                t.kill(); t.wait()
                """;
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(python(script)).start();
            long pid = p.pid();
            long target = Long.parseLong(new String(p.getInputStream().readAllBytes()).strip());
            assertThat(p.waitFor()).isZero();
            SyscallEvent e = events.await(SyscallEvent.class,
                    s -> s.process().pid() == pid && s.syscall().equals("ptrace"), WAIT);
            assertThat(e.args()).containsEntry("request", 16L).containsEntry("pid", target);
            assertThat(e.result()).isZero();
            // Detach only resumes the tracee: filtered in the kernel. The kill that follows it is
            // reported, so once it is here any detach record would be too.
            events.await(SyscallEvent.class, s -> s.process().pid() == pid && s.syscall().equals("kill"), WAIT);
            assertThat(events.drain()).noneMatch(s -> s instanceof SyscallEvent se && se.process().pid() == pid
                    && se.syscall().equals("ptrace") && se.arg("request", -1) == 17);
        }
    }

    @Test
    void unshareOfMountNamespace() throws Exception {
        SyscallEvent e = run(0, s -> s.syscall().equals("unshare"), "/usr/bin/unshare", "-m", "/bin/true");
        assertThat(e.arg("flags", 0) & CLONE_NEWNS).isEqualTo(CLONE_NEWNS);
        assertThat(e.result()).isZero();
    }

    @Test
    void mountAndUmountOfTmpfsWithAbsoluteTarget() throws Exception {
        Files.createDirectory(dir.resolve("mnt"));
        // unshare execs python in a private mount namespace: the mounts vanish with it.
        String script = """
                import ctypes
                libc = ctypes.CDLL(None, use_errno=True)
                assert libc.mount(b"eunomia-src", b"mnt", b"tmpfs", 0, b"size=1m") == 0, ctypes.get_errno()
                assert libc.umount2(b"mnt", 2) == 0, ctypes.get_errno()
                """;
        String[] cmd = new String[] {"/usr/bin/unshare", "-m", "--propagation", "private", PYTHON, "-c", script};
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            String target = dir.resolve("mnt").toRealPath().toString();
            SyscallEvent mount = events.await(SyscallEvent.class, s -> s.process().pid() == pid
                    && s.syscall().equals("mount") && "tmpfs".equals(s.strings().get("fstype")), WAIT);
            assertThat(mount.strings()).containsEntry("source", "eunomia-src").containsEntry("target", target);
            assertThat(mount.result()).isZero();
            SyscallEvent umount = events.await(SyscallEvent.class,
                    s -> s.process().pid() == pid && s.syscall().equals("umount2"), WAIT);
            assertThat(umount.strings()).containsEntry("target", target);
            assertThat(umount.args()).containsEntry("flags", 2L);
        }
    }

    /**
     * The new mount API in a private mount namespace: fsconfig shows the value of "source" only (a
     * password given as another key is not copied), fsmount and move_mount name what they mount from
     * the kernel's mount object, a relative target is made absolute; pivot_root names both paths.
     */
    @Test
    void newMountApiCallsNameWhatTheyMount() throws Exception {
        Files.createDirectory(dir.resolve("mnt"));
        String script = """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                sc = libc.syscall
                fs = sc(430, b"tmpfs", 0)
                assert fs >= 0, ctypes.get_errno()
                assert sc(431, fs, 1, b"source", b"eunomia-api-src", 0) == 0, ctypes.get_errno()
                sc(431, fs, 1, b"password", b"hunter2", 0)  # tmpfs refuses the key: the attempt is what counts
                assert sc(431, fs, 6, None, None, 0) == 0, ctypes.get_errno()
                m = sc(432, fs, 0, 0)
                assert m >= 0, ctypes.get_errno()
                assert sc(429, m, b"", -100, b"mnt", 4) == 0, ctypes.get_errno()
                sc(155, b"/eunomia-no-root", b"/eunomia-no-old")
                """;
        String[] cmd = new String[] {"/usr/bin/unshare", "-m", "--propagation", "private", PYTHON, "-c", script};
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            long pid = p.pid();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            String target = dir.resolve("mnt").toRealPath().toString();
            SyscallEvent fsopen = events.await(SyscallEvent.class, s -> s.process().pid() == pid && s.syscall().equals("fsopen"), WAIT);
            assertThat(fsopen.strings()).containsEntry("fstype", "tmpfs");
            SyscallEvent source = events.await(SyscallEvent.class, s -> s.process().pid() == pid && s.syscall().equals("fsconfig")
                    && "source".equals(s.strings().get("key")), WAIT);
            assertThat(source.strings()).containsEntry("source", "eunomia-api-src");
            assertThat(source.args()).containsEntry("cmd", 1L);
            SyscallEvent secret = events.await(SyscallEvent.class, s -> s.process().pid() == pid && s.syscall().equals("fsconfig")
                    && "password".equals(s.strings().get("key")), WAIT);
            assertThat(secret.strings().get("source")).isEmpty();
            SyscallEvent fsmount = events.await(SyscallEvent.class, s -> s.process().pid() == pid && s.syscall().equals("fsmount"), WAIT);
            assertThat(fsmount.strings()).containsEntry("source", "eunomia-api-src").containsEntry("fstype", "tmpfs");
            SyscallEvent move = events.await(SyscallEvent.class, s -> s.process().pid() == pid && s.syscall().equals("move_mount"), WAIT);
            assertThat(move.strings()).containsEntry("target", target).containsEntry("source", "eunomia-api-src")
                    .containsEntry("fstype", "tmpfs");
            // from an fd: that fd's path, read at exit, when the mount is attached already (with the empty path's "/")
            assertThat(move.strings()).containsEntry("from", target + "/");
            assertThat(move.args()).containsEntry("flags", 4L).containsEntry("to_dfd", -100L);
            assertThat(move.result()).isZero();
            SyscallEvent pivot = events.await(SyscallEvent.class, s -> s.process().pid() == pid && s.syscall().equals("pivot_root"), WAIT);
            assertThat(pivot.strings()).containsEntry("target", "/eunomia-no-root").containsEntry("put_old", "/eunomia-no-old");
            assertThat(pivot.result()).isNegative();
        }
    }

    /**
     * mount_setattr's struct mount_attr and fsconfig's key and value in a page the caller never touched
     * (a fresh private file mapping): unreadable at sys_enter, where no fault may be taken, read at
     * exit after the kernel's copy faulted them in. Before, the attributes were 0 and the source left out.
     */
    @Test
    void mountApiDataInAnUntouchedPageIsReadAtExit() throws Exception {
        Path target = Files.createDirectory(dir.resolve("cold"));
        String evade = EvasionProbe.binary().toString();
        String script = evade + " fsconfig-cold " + target + " eunomia-cold-src && " + evade + " setattr-cold " + target
                + " 3 0 && " + evade + " setattr-cold " + target + " 0 1";
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder("/usr/bin/unshare", "-m", "--propagation", "private", "sh", "-c", script)
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            assertThat(output).contains("fsconfig-cold: 0", "setattr-cold: 0").doesNotContain("setattr-cold: -");
            Predicate<SyscallEvent> evadeCall = s -> s.process().comm().equals("evade");
            SyscallEvent source = events.await(SyscallEvent.class, evadeCall.and(s -> s.syscall().equals("fsconfig")
                    && s.arg("cmd", 0) == 1), WAIT);
            assertThat(source.strings()).containsEntry("key", "source").containsEntry("source", "eunomia-cold-src");
            assertThat(source.result()).isZero();
            SyscallEvent set = events.await(SyscallEvent.class, evadeCall.and(s -> s.syscall().equals("mount_setattr")
                    && s.arg("attr_clr", -1) == 0), WAIT);
            assertThat(set.args()).containsEntry("attr_set", 3L).containsEntry("propagation", 0L);
            assertThat(set.strings()).containsEntry("target", target.toRealPath().toString());
            SyscallEvent clear = events.await(SyscallEvent.class, evadeCall.and(s -> s.syscall().equals("mount_setattr")
                    && s.arg("attr_set", -1) == 0), WAIT);
            assertThat(clear.args()).containsEntry("attr_clr", 1L);
            assertThat(clear.result()).isZero();
        }
    }

    @Test
    void memfdCreateCarriesItsName() throws Exception {
        SyscallEvent e = run(0, s -> s.syscall().equals("memfd_create"),
                python("import os\nos.memfd_create('eunomia-fileless', os.MFD_CLOEXEC)"));
        assertThat(e.strings()).containsEntry("name", "eunomia-fileless");
        assertThat(e.args()).containsEntry("flags", 1L);
        assertThat(e.result()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void onlySetuidOrSetgidChmodIsReported() throws Exception {
        Files.createFile(dir.resolve("plain"));
        Files.createFile(dir.resolve("suid"));
        Files.createFile(dir.resolve("sgid"));
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(python("""
                    import os
                    os.chmod('plain', 0o644)
                    os.chmod('suid', 0o4755)
                    fd = os.open('sgid', os.O_RDONLY)
                    os.fchmod(fd, 0o2755)
                    """)).directory(dir.toFile()).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            String suid = dir.resolve("suid").toRealPath().toString();
            SyscallEvent e = events.await(SyscallEvent.class, s -> s.process().pid() == pid
                    && suid.equals(s.strings().get("path")), WAIT);
            assertThat(e.syscall()).isIn("chmod", "fchmodat", "fchmodat2");
            assertThat(e.arg("mode", 0)).isEqualTo(04755);
            assertThat(e.result()).isZero();
            SyscallEvent f = events.await(SyscallEvent.class, s -> s.process().pid() == pid
                    && s.syscall().equals("fchmod"), WAIT);
            assertThat(f.strings()).containsEntry("path", dir.resolve("sgid").toRealPath().toString());
            assertThat(f.arg("mode", 0)).isEqualTo(02755);
            assertThat(events.drain()).noneMatch(s -> s instanceof SyscallEvent se && se.process().pid() == pid
                    && se.strings().getOrDefault("path", "").endsWith("/plain"));
        }
    }

    @Test
    void packetSocketIsReportedAndTcpIsNot() throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(python("""
                    import socket
                    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
                    socket.socket(17, socket.SOCK_RAW, 0).close()   # AF_PACKET
                    """)).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            SyscallEvent e = events.await(SyscallEvent.class,
                    s -> s.process().pid() == pid && s.syscall().equals("socket"), WAIT);
            assertThat(e.args()).containsEntry("family", 17L).containsEntry("protocol", 0L);
            assertThat(e.arg("type", 0) & 0xf).isEqualTo(3);
            assertThat(e.result()).isGreaterThanOrEqualTo(0);
            assertThat(events.drain()).filteredOn(s -> s instanceof SyscallEvent se && se.process().pid() == pid
                    && se.syscall().equals("socket")).hasSize(1);
        }
    }

    @Test
    void killIsReportedButSignalZeroProbesAreNot() throws Exception {
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(python("""
                    import os, signal, subprocess
                    t = subprocess.Popen(["/bin/sleep", "30"])
                    print(t.pid, flush=True)
                    os.kill(t.pid, 0)
                    os.kill(t.pid, signal.SIGTERM)
                    t.wait()
                    """)).start();
            long pid = p.pid();
            long target = Long.parseLong(new String(p.getInputStream().readAllBytes()).strip());
            assertThat(p.waitFor()).isZero();
            SyscallEvent e = events.await(SyscallEvent.class,
                    s -> s.process().pid() == pid && s.syscall().equals("kill"), WAIT);
            assertThat(e.args()).containsEntry("pid", target).containsEntry("sig", 15L);
            assertThat(e.result()).isZero();
            assertThat(events.drain()).noneMatch(s -> s instanceof SyscallEvent se && se.process().pid() == pid
                    && se.syscall().equals("kill") && se.arg("sig", -1) == 0);
        }
    }

    @Test
    void bpfCommandsAreReported() throws Exception {
        SyscallEvent e = run(0, s -> s.syscall().equals("bpf") && s.arg("cmd", -1) == 11,  // BPF_PROG_GET_NEXT_ID
                "/usr/sbin/bpftool", "prog", "list");
        assertThat(e.process().comm()).isEqualTo("bpftool");
    }

    @Test
    void moduleLoadAttemptIsReportedWithItsError() throws Exception {
        SyscallTable table = SyscallTable.of(Arch.current());
        String script = """
                import ctypes, sys
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall.restype = ctypes.c_long
                rc = libc.syscall(ctypes.c_long(int(sys.argv[1])), ctypes.c_int(987), b"eunomia_param=1", ctypes.c_int(0))
                assert rc == -1
                rc = libc.syscall(ctypes.c_long(int(sys.argv[2])), b"eunomia_nomodule", ctypes.c_uint(0))
                assert rc == -1
                """;
        String[] cmd = python(script, String.valueOf(table.number("finit_module").orElseThrow()),
                String.valueOf(table.number("delete_module").orElseThrow()));
        try (EventCollector events = new EventCollector(sensors, SyscallEvent.class::isInstance)) {
            Process p = new ProcessBuilder(cmd).start();
            long pid = p.pid();
            assertThat(p.waitFor()).isZero();
            SyscallEvent load = events.await(SyscallEvent.class,
                    s -> s.process().pid() == pid && s.syscall().equals("finit_module"), WAIT);
            assertThat(load.args()).containsEntry("fd", 987L).containsEntry("flags", 0L);
            assertThat(load.strings()).containsEntry("params", "eunomia_param=1").containsEntry("path", "");
            // -ENOSYS on a kernel without module support (this one), -EBADF with it.
            assertThat(load.result()).isNegative();
            SyscallEvent delete = events.await(SyscallEvent.class,
                    s -> s.process().pid() == pid && s.syscall().equals("delete_module"), WAIT);
            assertThat(delete.strings()).containsEntry("name", "eunomia_nomodule");
            assertThat(delete.result()).isNegative();
        }
    }
}
