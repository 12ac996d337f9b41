package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.testkit.EvasionProbe;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A container's file calls on host files through a bind of the host's /etc (`-v /etc:/host/etc`), for
 * real, every kind: a process in a mount namespace of its own chrooted into a directory of the host's disk
 * bound onto itself (as runc's rootfs; HostPathOpenTest's root is a tmpfs) with the host's /etc at /host/etc. A python3 there (it stays until its stdin closes: the calls by name
 * are named through its root, PathCallResolution) renames, chmods, chowns, links, symlinks, makes a
 * directory, truncates, sets times and removes below /host/etc, by name and by fd (fchmod, fchown,
 * ftruncate, futimens: named in the kernel, host_path_of), and runs evade for io_uring opens (by fd, into
 * a fixed-file slot), file calls and an ftruncate; a read it is denied (no file: named by its text) too. Each event keeps the container's name and carries the host's
 * (hostPath, hostNewPath); the same calls on its own /etc carry none.
 */
class HostPathCallsTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes
    private static final String N = "eunomia-hpc-" + ProcessHandle.current().pid();
    private static final String CALLS = """
            import os, subprocess, sys
            n = sys.argv[1]
            d = '/host/etc/' + n
            def calls(d):
                open(d + '.a', 'w').write('x')
                os.rename(d + '.a', d + '.b')
                os.chmod(d + '.b', 0o600)
                os.chown(d + '.b', 0, 0)
                os.link(d + '.b', d + '.c')
                os.symlink(d + '.b', d + '.l')
                os.mkdir(d + '.d')
                os.truncate(d + '.b', 0)
                os.utime(d + '.b', (1, 1))
                fd = os.open(d + '.b', os.O_RDWR)
                os.fchmod(fd, 0o644)
                os.fchown(fd, 0, 0)
                os.ftruncate(fd, 0)
                os.utime(fd, (2, 2))
                os.close(fd)
                for x in ('.c', '.l', '.b'):
                    os.unlink(d + x)
                os.rmdir(d + '.d')
            calls('/etc/' + n)
            calls(d)
            def ev(*a):
                subprocess.run(['/evade', *a], check=True)
            ev('uring', '/host/etc/shadow')
            ev('uring', '/host/etc/shadow', 'direct')
            ev('uring-mkdir', d + '.r')
            ev('uring-rename', d + '.r', d + '.s')
            ev('uring-rmdir', d + '.s')
            open(d + '.f', 'w').write('x')
            ev('uring-ftruncate', d + '.f')
            os.unlink(d + '.f')
            pid = os.fork()
            if pid == 0:  # a denied read: no file, named by its text
                os.setuid(65534)
                try:
                    open('/host/etc/shadow')
                except PermissionError:
                    pass
                os._exit(0)
            os.waitpid(pid, 0)
            print('done', flush=True)
            sys.stdin.read()
            """;
    private static KernelSensors sensors;
    private static Path root;

    @BeforeAll
    static void load() throws Exception {
        sensors = HostPathOpenTest.fileSensorWatchingShadow();
        // Made here, before the namespace: its first path call must be the chrooted python's, whose view of the
        // mounts (read through it, kept a second per namespace) is the one its names need.
        root = Files.createTempDirectory(Path.of("/tmp"), "eunomia-hostcalls-");
        for (String d : List.of("etc", "host/etc", "usr", "proc")) {
            Files.createDirectories(root.resolve(d));
        }
        for (String d : List.of("bin", "lib", "lib64", "sbin")) {
            Path top = Path.of("/", d);
            if (Files.isSymbolicLink(top)) {
                Files.createSymbolicLink(root.resolve(d), Files.readSymbolicLink(top));
            } else if (Files.isDirectory(top)) {
                Files.createDirectories(root.resolve(d));
            }
        }
        Files.writeString(root.resolve("calls.py"), CALLS);
        Files.copy(EvasionProbe.binary(), root.resolve("evade"));
    }

    @AfterAll
    static void unload() throws Exception {
        if (sensors != null) {
            sensors.close();
        }
        for (String x : List.of(".a", ".b", ".c", ".l", ".d", ".r", ".s", ".f", ".h")) {
            Files.deleteIfExists(Path.of("/etc", N + x));  // left by a failed run (an empty directory for .d, .r, .s)
        }
        if (root != null) {  // the binds went with the shell's mount namespace
            try (var all = Files.walk(root)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void everyCallOnAHostFileThroughABindCarriesTheHostPathTheRootsOwnDoNot() throws Exception {
        String r = root.toString();
        // The root a directory of the host's disk bound onto itself, as runc makes a container's rootfs. mount -n:
        // no mkdir of /run/mount, a path call whose namespace table, read through mount outside the chroot, the
        // python's calls would be named by for a second (only the file sensor runs: no mount call marks it stale).
        String script = "set -e; mount -n --bind " + r + " " + r + "; cd " + r + ";"
                + " for d in bin lib lib64 sbin; do if [ ! -L /$d ] && [ -d /$d ]; then mount -n --bind /$d $d; fi; done;"
                + " mount -n --bind /usr usr; mount -n --bind /etc host/etc;"
                + " readlink /proc/self/ns/mnt; exec chroot . /usr/bin/python3 /calls.py " + N;
        try (EventCollector events = new EventCollector(sensors, FileEvent.class::isInstance)) {
            Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c", script)
                    .redirectErrorStream(true).start();
            try {
                long ns = namespaceWhenDone(p);
                String host = "/host/etc/" + N;
                String etc = "/etc/" + N;
                // By name (named through the root in user space) and by fd (named in the kernel).
                for (FileOp op : List.of(FileOp.CHMOD, FileOp.CHOWN, FileOp.TRUNCATE, FileOp.UTIMES)) {
                    for (boolean byFd : new boolean[] {false, true}) {
                        FileEvent e = await(events, ns, f -> f.op() == op && f.pathResolved() == byFd && f.path().equals(host + ".b"));
                        assertThat(e.hostPath()).as(op + (byFd ? " by fd " : " ") + e.syscall()).isEqualTo(etc + ".b");
                        assertThat(e.newPath()).as(op + (byFd ? " by fd" : "")).isEmpty();
                    }
                }
                FileEvent mv = await(events, ns, f -> f.op() == FileOp.RENAME && f.path().equals(host + ".a"));
                assertThat(mv.newPath()).isEqualTo(host + ".b");
                assertThat(List.of(mv.hostPath(), mv.hostNewPath())).containsExactly(etc + ".a", etc + ".b");
                FileEvent ln = await(events, ns, f -> f.op() == FileOp.LINK && f.newPath().equals(host + ".c"));
                assertThat(List.of(ln.hostPath(), ln.hostNewPath())).containsExactly(etc + ".b", etc + ".c");
                FileEvent sym = await(events, ns, f -> f.op() == FileOp.SYMLINK && f.newPath().equals(host + ".l"));
                assertThat(List.of(sym.hostPath(), sym.hostNewPath())).containsExactly(etc + ".b", etc + ".l");
                for (String x : List.of(".b", ".c", ".l", ".d")) {
                    FileEvent rm = await(events, ns, f -> f.op() == FileOp.UNLINK && f.path().equals(host + x));
                    assertThat(rm.hostPath()).as(x).isEqualTo(etc + x);
                }
                assertThat(await(events, ns, f -> f.op() == FileOp.MKDIR && f.path().equals(host + ".d")).hostPath())
                        .isEqualTo(etc + ".d");
                // io_uring: file calls from the ring's record; opens named at their completion (by fd, and in a
                // fixed-file slot), which evade made before the calls: delivered by the time the rename is.
                FileEvent ringMv = await(events, ns, f -> f.op() == FileOp.RENAME && f.path().equals(host + ".r"));
                assertThat(List.of(ringMv.hostPath(), ringMv.hostNewPath())).containsExactly(etc + ".r", etc + ".s");
                assertThat(await(events, ns, f -> f.op() == FileOp.MKDIR && f.path().equals(host + ".r")).hostPath())
                        .isEqualTo(etc + ".r");
                FileEvent ringTrunc = await(events, ns, f -> f.op() == FileOp.TRUNCATE && f.path().equals(host + ".f")
                        && f.syscall().contains("io_uring"));
                assertThat(ringTrunc.hostPath()).isEqualTo(etc + ".f");
                FileEvent denied = await(events, ns, f -> f.op() == FileOp.OPEN && f.path().equals("/host/etc/shadow") && f.result() == -13);
                assertThat(denied.hostPath()).isEqualTo("/etc/shadow");
                List<FileEvent> ringOpens = events.drain().stream().map(FileEvent.class::cast)
                        .filter(f -> f.process().mntns() == ns && f.op() == FileOp.OPEN && f.syscall().contains("io_uring"))
                        .toList();
                assertThat(ringOpens).hasSize(2).extracting(FileEvent::path).containsOnly("/host/etc/shadow");
                assertThat(ringOpens).extracting(FileEvent::hostPath).containsOnly("/etc/shadow");

                // The root's own /etc: every call came before the ones above, none has a host path.
                List<FileEvent> own = events.drain().stream().map(FileEvent.class::cast)
                        .filter(f -> f.process().mntns() == ns && (f.path().startsWith(etc) || f.newPath().startsWith(etc)))
                        .toList();
                assertThat(own).extracting(FileEvent::op).contains(FileOp.RENAME, FileOp.CHMOD, FileOp.CHOWN, FileOp.LINK,
                        FileOp.SYMLINK, FileOp.MKDIR, FileOp.TRUNCATE, FileOp.UTIMES, FileOp.UNLINK);
                assertThat(own).allSatisfy(f -> assertThat(f.hostPath() + f.hostNewPath()).as(f.toString()).isEmpty());
            } finally {
                p.getOutputStream().close();  // python's stdin: it ends
                p.waitFor();
            }
        }
    }

    /**
     * A host process (the host's root) in a mount namespace of its own with a private bind of /etc (a systemd
     * service's ProtectSystem/ReadWritePaths, a snap): its calls through it, by fd and by name, name host files
     * already and get no host path (the kernel's host_path_of and MountTable.onHost both check the root).
     */
    @Test
    void aHostProcessThroughItsOwnBindOfEtcGetsNoHostPath() throws Exception {
        Path at = Files.createTempDirectory(Path.of("/tmp"), "eunomia-hostcalls-own-");
        String py = "import os, sys\np = sys.argv[1] + '/' + sys.argv[2] + '.h'\nfd = os.open(p, os.O_CREAT | os.O_RDWR, 0o644)\n"
                + "os.fchmod(fd, 0o600)\nos.close(fd)\nos.chmod(p, 0o644)\nos.unlink(p)\nprint('done', flush=True)\nsys.stdin.read()\n";
        String script = "set -e; mount -n --bind /etc " + at + "; readlink /proc/self/ns/mnt; exec /usr/bin/python3 -c \"$0\" " + at + " " + N;
        try (EventCollector events = new EventCollector(sensors, FileEvent.class::isInstance)) {
            Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c", script, py)
                    .redirectErrorStream(true).start();
            try {
                long ns = namespaceWhenDone(p);
                for (boolean byFd : new boolean[] {false, true}) {
                    FileEvent e = await(events, ns, f -> f.op() == FileOp.CHMOD && f.pathResolved() == byFd
                            && f.path().endsWith("/" + N + ".h"));
                    assertThat(e.hostPath()).as((byFd ? "by fd " : "by name ") + e.path()).isEmpty();
                }
            } finally {
                p.getOutputStream().close();
                p.waitFor();
                Files.deleteIfExists(Path.of("/etc", N + ".h"));
                Files.deleteIfExists(at);
            }
        }
    }

    /** The mount namespace p's script printed, once its python said "done" (it waits on its stdin, alive). */
    private static long namespaceWhenDone(Process p) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line = lines.readLine(); line != null && !line.equals("done"); line = lines.readLine()) {
            out.append(line).append('\n');
        }
        Matcher m = HostPathOpenTest.NS.matcher(out);
        assertThat(m.find()).as(out.toString()).isTrue();
        assertThat(p.isAlive()).as(out.toString()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static FileEvent await(EventCollector events, long ns, Predicate<FileEvent> what) throws Exception {
        return events.await(FileEvent.class, f -> f.process().mntns() == ns && what.test(f), WAIT);
    }
}
