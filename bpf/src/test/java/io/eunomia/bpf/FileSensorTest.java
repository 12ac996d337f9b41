package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.ReadTops;
import io.eunomia.event.Event;
import io.eunomia.event.EventStream;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.FileTimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The file sensor, loaded for real, watching real child processes. */
class FileSensorTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final int O_WRONLY = 01;
    private static final int O_ACCMODE = 03;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int AT_REMOVEDIR = 0x200;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;

    @RegisterExtension
    static final LoadedSensors SENSORS = LoadedSensors.shared(Sensor.FILE);

    @TempDir
    Path tmp;

    @Test
    void createShowsFlagsModeFdAndRealPath() throws Exception {
        Path file = tmp.resolve("created.txt");
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = python("import os,sys; os.close(os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o640))", file);
            FileEvent e = events.await(FileEvent.class, of(pid, FileOp.OPEN, file.toRealPath()), WAIT);
            assertThat(e.syscall()).isEqualTo("openat");
            assertThat(e.flags() & O_CREAT).isEqualTo(O_CREAT);
            assertThat(e.flags() & O_ACCMODE).isEqualTo(O_WRONLY);
            assertThat(e.mode()).isEqualTo(0640);
            assertThat(e.result()).isGreaterThanOrEqualTo(0);
            assertThat(e.uid()).isEqualTo(-1);
        }
    }

    @Test
    void openByHandleNamesTheOpenedFile() throws Exception {
        Path file = tmp.toRealPath().resolve("handle.txt");
        Files.writeString(file, "x");
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = python("""
                    import ctypes, os, sys
                    libc = ctypes.CDLL(None, use_errno=True)
                    handle = ctypes.create_string_buffer(8 + 128)
                    ctypes.c_uint.from_buffer(handle, 0).value = 128
                    mount_id = ctypes.c_int()
                    assert libc.name_to_handle_at(-100, sys.argv[1].encode(), handle, ctypes.byref(mount_id), 0) == 0
                    mount_fd = os.open('/', os.O_RDONLY)
                    assert libc.open_by_handle_at(mount_fd, handle, os.O_RDONLY) >= 0
                    assert libc.open_by_handle_at(-1, handle, os.O_RDONLY) == -1
                    """, file);
            FileEvent ok = events.await(FileEvent.class,
                    of(pid, FileOp.OPEN, file).and(e -> e.syscall().equals("open_by_handle_at")), WAIT);
            assertThat(ok.result()).isGreaterThanOrEqualTo(0);
            FileEvent failed = events.await(FileEvent.class, e -> e.process().pid() == pid
                    && e.syscall().equals("open_by_handle_at") && !e.succeeded(), WAIT);
            assertThat(failed.path()).isEmpty();
            assertThat(failed.result()).isEqualTo(-9);  // EBADF
        }
    }

    @Test
    void relativeOpenAfterCdIsAbsolute() throws Exception {
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = run("/bin/sh", "-c", "cd /etc && exec cat shadow >/dev/null");
            FileEvent e = events.await(FileEvent.class, of(pid, FileOp.OPEN, Path.of("/etc/shadow")), WAIT);
            assertThat(e.result()).isGreaterThanOrEqualTo(0);
            assertThat(e.flags() & O_ACCMODE).isZero();
            assertThat(e.mode()).isEqualTo(-1);
            assertThat(e.process().comm()).isEqualTo("cat");
        }
    }

    @Test
    void failedOpenHasErrnoAndNormalisedPath() throws Exception {
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = runFailing("/bin/sh", "-c", "cd \"$1\" && exec cat ./nope/../missing", "sh", tmp.toString());
            FileEvent e = events.await(FileEvent.class, of(pid, FileOp.OPEN, tmp.resolve("missing")), WAIT);
            assertThat(e.result()).isEqualTo(-ENOENT);
            assertThat(e.succeeded()).isFalse();
        }
    }

    @Test
    void permissionDeniedOpenIsReported() throws Exception {
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = runFailing("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", "/etc/shadow");
            FileEvent e = events.await(FileEvent.class, of(pid, FileOp.OPEN, Path.of("/etc/shadow")), WAIT);
            assertThat(e.result()).isEqualTo(-EACCES);
            assertThat(e.process().uid()).isEqualTo(65534);
        }
    }

    @Test
    void renameLinkAndSymlinkCarryBothPaths() throws Exception {
        Path dir = tmp.toRealPath();
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = python("""
                    import os,sys
                    d = sys.argv[1]
                    open(d + '/a', 'w').close()
                    os.rename(d + '/a', d + '/b')
                    os.link(d + '/b', d + '/c')
                    os.symlink('b', d + '/s')
                    os.symlink(d + '/./b', d + '/abs')
                    """, dir);
            FileEvent rename = events.await(FileEvent.class, of(pid, FileOp.RENAME, dir.resolve("a")), WAIT);
            assertThat(rename.newPath()).isEqualTo(dir.resolve("b").toString());
            assertThat(rename.result()).isZero();
            assertThat(rename.syscall()).isIn("rename", "renameat", "renameat2");

            FileEvent link = events.await(FileEvent.class, of(pid, FileOp.LINK, dir.resolve("b")), WAIT);
            assertThat(link.newPath()).isEqualTo(dir.resolve("c").toString());
            assertThat(link.result()).isZero();

            // A relative target is made absolute against the link's directory.
            FileEvent sym = events.await(FileEvent.class, of(pid, FileOp.SYMLINK, dir.resolve("b")), WAIT);
            assertThat(sym.newPath()).isEqualTo(dir.resolve("s").toString());
            FileEvent abs = events.await(FileEvent.class,
                    of(pid, FileOp.SYMLINK, dir.resolve("b")).and(e -> e.newPath().endsWith("/abs")), WAIT);
            assertThat(abs.newPath()).isEqualTo(dir.resolve("abs").toString());
            assertThat(abs.result()).isZero();
        }
    }

    @Test
    void truncateChmodChownCarryTheirArguments() throws Exception {
        Path f = tmp.toRealPath().resolve("f");
        Files.writeString(f, "data");
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = python("""
                    import os,sys
                    p = sys.argv[1]
                    os.truncate(p, 1)
                    os.chmod(p, 0o604)
                    os.chown(p, 12, 34)
                    fd = os.open(p, os.O_WRONLY)
                    os.ftruncate(fd, 0)
                    os.fchmod(fd, 0o600)
                    os.fchown(fd, -1, 56)
                    """, f);
            FileEvent trunc = events.await(FileEvent.class, of(pid, FileOp.TRUNCATE, f).and(e -> e.syscall().equals("truncate")), WAIT);
            assertThat(trunc.result()).isZero();
            FileEvent chmod = events.await(FileEvent.class, of(pid, FileOp.CHMOD, f).and(e -> !e.syscall().equals("fchmod")), WAIT);
            assertThat(chmod.mode()).isEqualTo(0604);
            FileEvent chown = events.await(FileEvent.class, of(pid, FileOp.CHOWN, f).and(e -> !e.syscall().equals("fchown")), WAIT);
            assertThat(chown.uid()).isEqualTo(12);
            assertThat(chown.gid()).isEqualTo(34);
            assertThat(chown.result()).isZero();

            // The fd-based calls name the file through the open fd.
            FileEvent ftrunc = events.await(FileEvent.class, of(pid, FileOp.TRUNCATE, f).and(e -> e.syscall().equals("ftruncate")), WAIT);
            assertThat(ftrunc.result()).isZero();
            FileEvent fchmod = events.await(FileEvent.class, of(pid, FileOp.CHMOD, f).and(e -> e.syscall().equals("fchmod")), WAIT);
            assertThat(fchmod.mode()).isEqualTo(0600);
            FileEvent fchown = events.await(FileEvent.class, of(pid, FileOp.CHOWN, f).and(e -> e.syscall().equals("fchown")), WAIT);
            assertThat(fchown.uid()).isEqualTo(-1);
            assertThat(fchown.gid()).isEqualTo(56);
        }
        assertThat(Files.size(f)).isZero();
    }

    /** Sets times through every call: explicit ones are reported with their file and times, NULL and UTIME_NOW ones not. */
    private static final String SET_TIMES = """
            import ctypes,os,sys
            libc = ctypes.CDLL(None, use_errno=True)
            p = sys.argv[1].encode()
            class ts(ctypes.Structure):
                _fields_ = [('sec', ctypes.c_long), ('nsec', ctypes.c_long)]
            NOW, OMIT, AT_FDCWD = (1 << 30) - 1, (1 << 30) - 2, -100
            def utimensat(fd, path, a, b):
                t = None if a is None else (ts * 2)(a, b)
                assert libc.utimensat(fd, path, t, 0) == 0, ctypes.get_errno()
            def sys2(nr, *args):
                assert libc.syscall(nr, *args) == 0, ctypes.get_errno()
            utimensat(AT_FDCWD, p, None, None)                             # NULL: now, not reported
            utimensat(AT_FDCWD, p, ts(0, NOW), ts(0, NOW))                 # both now: not reported
            utimensat(AT_FDCWD, p, ts(0, OMIT), ts(0, NOW))                # nothing explicit: not reported
            utimensat(AT_FDCWD, p, ts(978307200, 5), ts(978307201, 6))     # 2001-01-01
            fd = os.open(p, os.O_WRONLY)
            assert libc.futimens(fd, (ts * 2)(ts(0, OMIT), ts(978307202, 7))) == 0  # as touch -d
            sys2(280, fd, None, None, 0)                                   # futimens(fd, NULL): not reported
            tv = (ts * 2)(ts(978307203, 8), ts(978307204, 9))              # a timeval pair: usec
            sys2(235, p, tv)                                               # utimes
            sys2(235, p, None)                                             # utimes(NULL): not reported
            sys2(261, AT_FDCWD, p, tv)                                     # futimesat
            sys2(132, p, (ctypes.c_long * 2)(978307205, 978307206))        # utime
            """;

    @Test
    void explicitTimesAreReportedWithTheirFileAndTimes() throws Exception {
        Path f = tmp.toRealPath().resolve("stamped");
        Files.writeString(f, "x");
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = python(SET_TIMES, f);
            // The last call's record arrives after the others' (one ring): all of them are in.
            events.await(FileEvent.class, of(pid, FileOp.UTIMES, f).and(e -> e.syscall().equals("utime")), WAIT);
            List<String> reported = new ArrayList<>();
            for (Event e : events.drain()) {
                if (e instanceof FileEvent u && u.process().pid() == pid && u.op() == FileOp.UTIMES) {
                    FileTimes t = u.times();
                    reported.add(u.syscall() + " " + u.path() + " " + u.result() + " " + t.atime().map(Object::toString).orElse("-")
                            + " " + t.mtime().map(Object::toString).orElse("-"));
                }
            }
            assertThat(reported).containsExactly(
                    "utimensat " + f + " 0 2001-01-01T00:00:00.000000005Z 2001-01-01T00:00:01.000000006Z",
                    "utimensat " + f + " 0 - 2001-01-01T00:00:02.000000007Z",
                    "utimes " + f + " 0 2001-01-01T00:00:03.000008Z 2001-01-01T00:00:04.000009Z",
                    "futimesat " + f + " 0 2001-01-01T00:00:03.000008Z 2001-01-01T00:00:04.000009Z",
                    "utime " + f + " 0 2001-01-01T00:00:05Z 2001-01-01T00:00:06Z");
        }
        assertThat(Files.getLastModifiedTime(f).toInstant()).hasToString("2001-01-01T00:00:06Z");
    }

    @Test
    void pathPrefixesKeepBackTimesSetOnOtherFiles() throws Exception {
        Path root = tmp.toRealPath();
        Path watched = twoDirsWithAFile(root, "watched", "outside");
        TimesRun run = timesSetUnder(root, """
                for d in ('outside', 'watched'):
                    fd = os.open(r + '/' + d + '/f', os.O_RDONLY)
                    os.utime(fd, (978307200, 978307200))   # futimens: named by its fd, judged exactly
                    os.close(fd)
                """, pid -> SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) pid).withPathPrefixes(List.of(watched.toString())),
                e -> e.path().equals(watched.resolve("f").toString()));
        // outside/f's came first and stayed in the kernel.
        assertThat(run.reported()).containsExactly(watched.resolve("f") + " 0");
    }

    /**
     * The times filter (file.bpf.c times_prefixes, the rules' @timesSet): explicit times set by descriptor
     * (futimens: the file's canonical path) on a file below no prefix stay in the kernel; a path as the
     * caller wrote it is reported wherever it points (user space names it by the file it reaches through
     * symlinks: a directory descriptor's name, a name with '..'), and so is everything below a prefix.
     */
    @Test
    void timesPrefixesKeepBackTimesSetOutsideThem() throws Exception {
        Path root = tmp.toRealPath();
        Path watched = twoDirsWithAFile(root, "tw", "to");
        Path outside = root.resolve("to");
        TimesRun run = timesSetUnder(root, """
                t = (978307200, 978307200)
                for d in ('to', 'tw'):
                    fd = os.open(r + '/' + d + '/f', os.O_RDONLY)
                    os.utime(fd, t)                                   # futimens
                    os.close(fd)
                    dfd = os.open(r + '/' + d, os.O_RDONLY | os.O_DIRECTORY)
                    os.utime('f', t, dir_fd=dfd, follow_symlinks=False)   # utimensat(dfd, "f")
                    os.close(dfd)
                    if d == 'to':
                        os.utime(r + '/tw/../to/f', t)            # '..': judged in user space only
                """, pid -> SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) pid)
                        .withTimesPrefixes(Optional.of(List.of(watched + "/"))),
                // the last call (tw/f by path)
                e -> e.path().equals(watched.resolve("f").toString()) && e.flags() != 0);
        // to/f by descriptor came first and stayed in the kernel.
        assertThat(run.reported()).containsExactly(outside.resolve("f") + " 256", outside.resolve("f") + " 0",
                watched.resolve("f") + " 0", watched.resolve("f") + " 256");
        assertThat(run.keptByTimesFilter()).as("to/f by descriptor, kept in the kernel").isEqualTo(1);
    }

    /** Directories a and b below root, with a file f each; returns a. */
    private static Path twoDirsWithAFile(Path root, String a, String b) throws IOException {
        for (String d : List.of(a, b)) {
            Files.writeString(Files.createDirectory(root.resolve(d)).resolve("f"), "x");
        }
        return root.resolve(a);
    }

    /** A child's utimes events a filtered sensor reported ("path flags", in order), and what its times filter kept. */
    private record TimesRun(List<String> reported, long keptByTimesFilter) {}

    /**
     * Runs python code (r: root) under a file sensor made by options for the child's pid (the child waits
     * for a line until the sensor runs), until its utimes event matching last arrives (one ring: the
     * earlier ones are in by then).
     */
    private static TimesRun timesSetUnder(Path root, String code, java.util.function.LongFunction<SensorOptions> options,
                                          Predicate<FileEvent> last) throws Exception {
        Process child = new ProcessBuilder("python3", "-c", "import os,sys\nr = sys.argv[1]\nsys.stdin.readline()\n" + code,
                root.toString()).redirectErrorStream(true).start();
        long pid = child.pid();
        try (KernelSensors filtered = KernelSensors.start(options.apply(pid)); EventCollector events = collect(filtered)) {
            long before = filtered.timesFiltered();
            child.getOutputStream().write('\n');
            child.getOutputStream().close();
            assertThat(child.waitFor()).as(new String(child.getInputStream().readAllBytes())).isZero();
            events.await(FileEvent.class, e -> e.process().pid() == pid && e.op() == FileOp.UTIMES && last.test(e), WAIT);
            List<String> reported = new ArrayList<>();
            for (Event e : events.drain()) {
                if (e instanceof FileEvent u && u.process().pid() == pid && u.op() == FileOp.UTIMES) {
                    reported.add(u.path() + " " + u.flags());
                }
            }
            return new TimesRun(reported, filtered.timesFiltered() - before);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void mkdirUnlinkAndRmdir() throws Exception {
        Path dir = tmp.toRealPath();
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = python("""
                    import os,sys
                    d = sys.argv[1]
                    os.mkdir(d + '/sub', 0o750)
                    open(d + '/sub/x', 'w').close()
                    os.unlink(d + '/sub/x')
                    os.rmdir(d + '/sub')
                    try:
                        os.unlink(d + '/gone')
                    except FileNotFoundError:
                        pass
                    """, dir);
            FileEvent mkdir = events.await(FileEvent.class, of(pid, FileOp.MKDIR, dir.resolve("sub")), WAIT);
            assertThat(mkdir.mode()).isEqualTo(0750);
            assertThat(mkdir.result()).isZero();
            FileEvent unlink = events.await(FileEvent.class, of(pid, FileOp.UNLINK, dir.resolve("sub/x")), WAIT);
            assertThat(unlink.result()).isZero();
            assertThat(unlink.flags() & AT_REMOVEDIR).isZero();
            FileEvent rmdir = events.await(FileEvent.class, of(pid, FileOp.UNLINK, dir.resolve("sub")), WAIT);
            assertThat(rmdir.flags() & AT_REMOVEDIR).isEqualTo(AT_REMOVEDIR);
            FileEvent gone = events.await(FileEvent.class, of(pid, FileOp.UNLINK, dir.resolve("gone")), WAIT);
            assertThat(gone.result()).isEqualTo(-ENOENT);
        }
    }

    @Test
    void pathsRelativeToDirfdAreResolved() throws Exception {
        Path dir = tmp.toRealPath();
        try (EventCollector events = collect(SENSORS.get())) {
            long pid = python("""
                    import os,sys
                    fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
                    os.chdir('/')
                    try:
                        os.open('missing', os.O_RDONLY, dir_fd=fd)
                    except FileNotFoundError:
                        pass
                    os.mkdir('viafd', 0o700, dir_fd=fd)
                    os.close(os.open('viafd/../made', os.O_CREAT | os.O_WRONLY, 0o600, dir_fd=fd))
                    """, dir);
            FileEvent missing = events.await(FileEvent.class, of(pid, FileOp.OPEN, dir.resolve("missing")), WAIT);
            assertThat(missing.result()).isEqualTo(-ENOENT);
            assertThat(missing.syscall()).isEqualTo("openat");
            FileEvent mkdir = events.await(FileEvent.class, of(pid, FileOp.MKDIR, dir.resolve("viafd")), WAIT);
            assertThat(mkdir.syscall()).isEqualTo("mkdirat");
            FileEvent made = events.await(FileEvent.class, of(pid, FileOp.OPEN, dir.resolve("made")), WAIT);
            assertThat(made.result()).isGreaterThanOrEqualTo(0);

            var beforeTouch = events.mark();
            long touch = run("/bin/sh", "-c", "cd \"$1\" && exec touch t", "sh", dir.toString());
            events.await(beforeTouch, FileEvent.class, of(touch, FileOp.OPEN, dir.resolve("t")), WAIT);
        }
    }

    @Test
    void prefixFilterReportsOnlyWatchedPaths() throws Exception {
        Path root = tmp.toRealPath();
        Path watched = Files.createDirectory(root.resolve("watched"));
        Files.createDirectory(root.resolve("watchedfoo"));
        Files.createDirectory(root.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), watched); // a way into the watched tree
        // The child waits for a line so that the filtered sensor can be limited to its pid, which
        // makes the kernel's skip counter count this child's records only.
        Process child = new ProcessBuilder("python3", "-c", """
                import os,sys
                r = sys.argv[1]
                def touch(p):
                    os.close(os.open(r + p, os.O_CREAT | os.O_WRONLY, 0o600))
                def fail(p):
                    try:
                        os.open(r + p, os.O_RDONLY)
                    except FileNotFoundError:
                        pass
                sys.stdin.readline()
                touch('/outside/o')
                touch('/watchedfoo/x')
                fail('/watched/../outside/missing')
                fail('/outside/../watched/missing')
                touch('/watched/in')
                os.chmod(r + '/link/in', 0o644)
                os.rename(r + '/outside/o', r + '/watched/moved')
                touch('/watched/last')
                """, root.toString()).redirectErrorStream(true).start();
        long pid = child.pid();
        SensorOptions opts = SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) pid)
                .withPathPrefixes(List.of(watched.toString()));
        try (KernelSensors filtered = KernelSensors.start(opts);
             EventCollector all = collect(SENSORS.get());
             EventCollector some = collect(filtered)) {
            child.getOutputStream().write('\n');
            child.getOutputStream().close();
            assertThat(child.waitFor()).as(new String(child.getInputStream().readAllBytes())).isZero();

            some.await(FileEvent.class, of(pid, FileOp.OPEN, watched.resolve("last")), WAIT);
            // The unfiltered sensor saw what the filtered one must leave out.
            all.await(FileEvent.class, of(pid, FileOp.OPEN, root.resolve("outside/o")), WAIT);
            all.await(FileEvent.class, of(pid, FileOp.OPEN, root.resolve("watchedfoo/x")), WAIT);
            all.await(FileEvent.class, of(pid, FileOp.OPEN, root.resolve("outside/missing")), WAIT);

            List<String> reported = new ArrayList<>();
            for (Event e : some.drain()) {
                if (e instanceof FileEvent f && f.process().pid() == pid) {
                    reported.add(f.op() + " " + f.path() + (f.newPath().isEmpty() ? "" : " -> " + f.newPath()));
                }
            }
            // Paths as the caller spelled them cannot be judged in the kernel (a symlink may lead into
            // the watched tree, as link/ does): they are reported, except paths that do not exist,
            // judged as written. Opened files are judged exactly; a path call through a symlink is
            // named by user space through the task's root (here its parent's, this JVM's, once the
            // child is gone), with the text kept.
            List<String> given = new ArrayList<>();
            for (Event e : some.drain()) {
                if (e instanceof FileEvent f && f.process().pid() == pid && !f.pathGiven().isEmpty()) {
                    given.add(f.op() + " " + f.pathGiven());
                }
            }
            assertThat(reported).containsExactly(
                    "OPEN " + watched.resolve("missing"),
                    "OPEN " + watched.resolve("in"),
                    "CHMOD " + watched.resolve("in"),
                    "RENAME " + root.resolve("outside/o") + " -> " + watched.resolve("moved"),
                    "OPEN " + watched.resolve("last"));
            assertThat(given).containsExactly("CHMOD " + root.resolve("link/in"));
            // outside/o and watchedfoo/x, opened for real, stayed in the kernel.
            long skipped = filtered.object(Sensor.FILE).map("prefix_skipped").sumPerCpuU64(0);
            assertThat(skipped).isGreaterThanOrEqualTo(2);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void readFilterKeepsBackOnlySuccessfulReadOnlyOpensOutsideItsPrefixes() throws Exception {
        Path root = tmp.toRealPath();
        for (String d : List.of("watched", "other", "unwatched")) {
            Files.createDirectory(root.resolve(d));
        }
        for (int round = 1; round <= 3; round++) {
            Files.writeString(root.resolve("watched/a" + round), "a");
            Files.writeString(root.resolve("other/b" + round), "b");
        }
        // One child, three rounds of the same actions (file names end in the round), the filter
        // changed in between while the sensor runs; "end" (a write) closes each round.
        Process child = new ProcessBuilder("python3", "-c", """
                import os,sys
                r = sys.argv[1]
                def opened(p, flags):
                    os.close(os.open(r + p, flags, 0o600))
                while True:
                    n = sys.stdin.readline().strip()
                    if not n:
                        break
                    opened('/watched/a' + n, os.O_RDONLY)
                    opened('/other/b' + n, os.O_RDONLY)
                    opened('/other/c' + n, os.O_WRONLY | os.O_CREAT)
                    opened('/other/b' + n, os.O_RDONLY | os.O_TRUNC)
                    try:
                        os.open(r + '/other/missing' + n, os.O_RDONLY)
                    except FileNotFoundError:
                        pass
                    os.unlink(r + '/other/c' + n)
                    opened('/unwatched/u' + n, os.O_WRONLY | os.O_CREAT)
                    opened('/watched/end' + n, os.O_WRONLY | os.O_CREAT)
                    print('done', flush=True)
                """, root.toString()).redirectErrorStream(true).start();
        long pid = child.pid();
        // The user's prefixes apply on top: unwatched/ is left out even for writes.
        SensorOptions opts = SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) pid)
                .withPathPrefixes(List.of(root.resolve("watched").toString(), root.resolve("other").toString()))
                .withReadPrefixes(Optional.of(List.of(root.resolve("watched") + "/")));
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()));
        try (KernelSensors filtered = KernelSensors.start(opts); EventCollector events = collect(filtered)) {
            String w = root.resolve("watched").toString();
            String o = root.resolve("other").toString();
            assertThat(round(child, lines, events, pid, root, 1)).containsExactly(
                    "OPEN " + w + "/a1 read", "OPEN " + o + "/c1 write", "OPEN " + o + "/b1 write",
                    "OPEN " + o + "/missing1 read failed", "UNLINK " + o + "/c1", "OPEN " + w + "/end1 write");
            assertThat(filtered.readsFiltered()).isGreaterThanOrEqualTo(1);

            // Refilled in place with one exact path: now that file's read comes, watched/ no more.
            filtered.updateReadPrefixes(Optional.of(List.of(o + "/b2")));
            assertThat(round(child, lines, events, pid, root, 2)).containsExactly(
                    "OPEN " + o + "/b2 read", "OPEN " + o + "/c2 write", "OPEN " + o + "/b2 write",
                    "OPEN " + o + "/missing2 read failed", "UNLINK " + o + "/c2", "OPEN " + w + "/end2 write");

            // Off: every read comes.
            filtered.updateReadPrefixes(Optional.empty());
            assertThat(filtered.object(Sensor.FILE).map("read_prefixes").keys()).isEmpty();
            assertThat(round(child, lines, events, pid, root, 3)).containsExactly(
                    "OPEN " + w + "/a3 read", "OPEN " + o + "/b3 read", "OPEN " + o + "/c3 write", "OPEN " + o + "/b3 write",
                    "OPEN " + o + "/missing3 read failed", "UNLINK " + o + "/c3", "OPEN " + w + "/end3 write");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void readFilterFirstLookKeepsBackOtherFirstTwoNamesAndStillFollowsLinksIntoWatchedOnes() throws Exception {
        Path root = tmp.toRealPath();
        Path watched = Files.createDirectory(root.resolve("watched"));
        Files.writeString(watched.resolve("a"), "a");
        // From another top-level directory into the watched one: judged by the file opened, not the name used.
        Path link = Path.of("/dev/shm/eunomia-file-test-" + ProcessHandle.current().pid());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, watched.resolve("a"));
        // Same top-level directory, another second name: kept back by the second name.
        Path sibling = Files.createTempFile(root.getParent(), "eunomia-file-test-", "");
        Process child = new ProcessBuilder("python3", "-c", """
                import os,sys
                sys.stdin.readline()
                for p in ('/etc/hostname', '/proc/self/status', sys.argv[3], sys.argv[1], sys.argv[2] + '/a'):
                    os.close(os.open(p, os.O_RDONLY))
                os.close(os.open(sys.argv[2] + '/end', os.O_WRONLY | os.O_CREAT, 0o600))
                """, link.toString(), watched.toString(), sibling.toString()).redirectErrorStream(true).start();
        long pid = child.pid();
        SensorOptions opts = SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) pid)
                .withReadPrefixes(Optional.of(List.of(watched + "/")));
        try (KernelSensors filtered = KernelSensors.start(opts); EventCollector events = collect(filtered)) {
            var maps = filtered.object(Sensor.FILE);
            // On: a generation, new with every change of the filter (never 0, which is off).
            assertThat(java.nio.ByteBuffer.wrap(maps.map("read_top_filter").lookup(new byte[4]).orElseThrow())
                    .order(java.nio.ByteOrder.nativeOrder()).getInt()).isNotZero();
            assertThat(maps.map("read_tops").keys()).singleElement().satisfies(k -> assertThat(k)
                    .isEqualTo(ReadTops.key(new ReadTops.Top(root.getName(0).toString(), root.getName(1).toString()))));
            var before = events.mark();
            child.getOutputStream().write('\n');
            child.getOutputStream().flush();
            events.await(before, FileEvent.class, of(pid, FileOp.OPEN, watched.resolve("end")), WAIT);
            List<String> opened = events.since(before).stream()
                    .filter(e -> e instanceof FileEvent f && f.process().pid() == pid && f.op() == FileOp.OPEN)
                    .map(e -> ((FileEvent) e).path()).toList();
            String a = watched.resolve("a").toString();
            assertThat(opened).contains(a, watched.resolve("end").toString())
                    .doesNotContain("/etc/hostname", "/proc/" + pid + "/status", sibling.toString());
            assertThat(opened.stream().filter(a::equals)).hasSize(2);
            assertThat(filtered.readsFiltered()).isGreaterThanOrEqualTo(3);

            // A plain string prefix of a top-level name ("/t" of "/tmp") switches the first look off.
            filtered.updateReadPrefixes(Optional.of(List.of(root.toString().substring(0, 2) + "*")));
            assertThat(maps.map("read_top_filter").lookup(new byte[4]).orElseThrow()[0]).isEqualTo((byte) 0);
            assertThat(maps.map("read_tops").keys()).isEmpty();
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(link);
            Files.deleteIfExists(sibling);
        }
    }

    /**
     * The identity watch on btrfs (openSUSE, Fedora roots): stat reports each subvolume's own
     * anonymous device, not the superblock's s_dev, and inode numbers repeat across subvolumes (the
     * first file of each is 257). A watched file read through a hard link is reported under its
     * name; a file of another subvolume with the same inode number, read through its own link, is
     * not that file (kept back by the read filter). Failed when the kernel keyed by s_dev and user
     * space by stat's device: the read through the link was kept back as not watched.
     */
    @Test
    void onBtrfsAWatchedFileReadThroughALinkIsNamedAndAnotherSubvolumesOfItsInodeNumberIsNot() throws Exception {
        try (io.eunomia.testkit.BtrfsVolume btrfs = io.eunomia.testkit.BtrfsVolume.make(tmp.toRealPath().resolve("btrfs"))) {
            Path secret = Files.writeString(btrfs.subvolume("a").resolve("secret"), "s");
            Path other = Files.writeString(btrfs.subvolume("b").resolve("other"), "o");
            assertThat(Files.getAttribute(other, "unix:ino")).as("the first file of each subvolume")
                    .isEqualTo(Files.getAttribute(secret, "unix:ino"));
            Path alias = Files.createLink(secret.resolveSibling("alias"), secret);
            Path otherAlias = Files.createLink(other.resolveSibling("alias"), other);
            Path end = secret.resolveSibling("end");
            Process child = new ProcessBuilder("python3", "-c", """
                    import os,sys
                    sys.stdin.readline()
                    for p in sys.argv[1:3]:
                        os.close(os.open(p, os.O_RDONLY))
                    os.close(os.open(sys.argv[3], os.O_WRONLY | os.O_CREAT, 0o600))
                    """, alias.toString(), otherAlias.toString(), end.toString()).redirectErrorStream(true).start();
            long pid = child.pid();
            SensorOptions opts = SensorOptions.of(EnumSet.of(Sensor.FILE)).withPid((int) pid)
                    .withReadPrefixes(Optional.of(List.of(secret.toString())));
            try (KernelSensors filtered = KernelSensors.start(opts); EventCollector events = collect(filtered)) {
                var before = events.mark();
                child.getOutputStream().write('\n');
                child.getOutputStream().flush();
                events.await(before, FileEvent.class, of(pid, FileOp.OPEN, end), WAIT);
                List<String> opened = events.since(before).stream()
                        .filter(e -> e instanceof FileEvent f && f.process().pid() == pid && f.op() == FileOp.OPEN)
                        .map(e -> ((FileEvent) e).path() + " as " + ((FileEvent) e).newPath()).toList();
                assertThat(opened).containsExactly(secret + " as " + alias, end + " as ");
            } finally {
                child.destroyForcibly().waitFor();
            }
        }
    }

    /** Runs one round of the read-filter child; returns what the sensor reported of it, in order. */
    private static List<String> round(Process child, java.io.BufferedReader lines, EventCollector events, long pid,
                                      Path root, int n) throws Exception {
        var before = events.mark();
        child.getOutputStream().write((n + "\n").getBytes());
        child.getOutputStream().flush();
        assertThat(lines.readLine()).isEqualTo("done");
        events.await(before, FileEvent.class, of(pid, FileOp.OPEN, root.resolve("watched/end" + n)), WAIT);
        List<String> reported = new ArrayList<>();
        for (Event e : events.since(before)) {
            if (e instanceof FileEvent f && f.process().pid() == pid && f.path().matches(".*[a-z]" + n)) {
                boolean readOnly = (f.flags() & (O_ACCMODE | O_CREAT | O_TRUNC)) == 0;
                reported.add(f.op() + " " + f.path() + (f.op() != FileOp.OPEN ? "" : readOnly ? " read" : " write")
                        + (f.result() < 0 ? " failed" : ""));
            }
        }
        return reported;
    }

    private static EventCollector collect(EventStream stream) {
        return new EventCollector(stream, e -> e instanceof FileEvent);
    }

    private static Predicate<FileEvent> of(long pid, FileOp op, Path path) {
        return e -> e.process().pid() == pid && e.op() == op && e.path().equals(path.toString());
    }

    private static long python(String script, Path arg) throws IOException, InterruptedException {
        return run("python3", "-c", script, arg.toString());
    }

    /** Runs a child that must succeed and returns its pid. */
    private static long run(String... cmd) throws IOException, InterruptedException {
        return run(true, cmd);
    }

    /** Runs a child that must fail (its failed call is what the test looks for) and returns its pid. */
    private static long runFailing(String... cmd) throws IOException, InterruptedException {
        return run(false, cmd);
    }

    private static long run(boolean succeed, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if ((rc == 0) != succeed) {
            throw new AssertionError(String.join(" ", cmd) + " exited with " + rc + ": " + out);
        }
        return p.pid();
    }
}
