package io.eunomia.bpf.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A /proc tree written by a test for {@link ProcFs}: the processes a resolver reads, as the kernel shows them. */
final class ProcTree {
    static final long HOST_USERNS = 4026531837L;

    private ProcTree() {}

    /** A live process of pid namespace pidns in proc: its mount namespace, name, parent and arguments. */
    static void process(Path proc, long pidns, int pid, long mntns, String comm, int ppid, String... argv) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)).resolve("ns"));
        Files.createSymbolicLink(dir.resolve("mnt"), Path.of("mnt:[" + mntns + "]"));
        Files.createSymbolicLink(dir.resolve("pid"), Path.of("pid:[" + pidns + "]"));
        Path p = proc.resolve(Integer.toString(pid));
        Files.writeString(p.resolve("comm"), comm + "\n");
        Files.writeString(p.resolve("stat"), pid + " (" + comm + ") S " + ppid + " 1 1 0\n");
        Files.writeString(p.resolve("cmdline"), String.join("\0", argv) + "\0");
        Files.writeString(p.resolve("cgroup"), "11:pids:/\n0::/\n");
        asHostRoot(proc, pid, Path.of("/bin/sh").toRealPath());
    }

    /** PID runs as the host's root (every uid 0, PID 1's user namespace) the program {@code exe}. */
    static void asHostRoot(Path proc, int pid, Path exe) throws IOException {
        Path init = Files.createDirectories(proc.resolve("1").resolve("ns"));
        if (!Files.exists(init.resolve("user"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(init.resolve("user"), Path.of("user:[" + HOST_USERNS + "]"));
        }
        Path p = proc.resolve(Integer.toString(pid));
        Files.deleteIfExists(p.resolve("ns").resolve("user"));
        Files.createSymbolicLink(p.resolve("ns").resolve("user"), Path.of("user:[" + HOST_USERNS + "]"));
        Files.writeString(p.resolve("status"), "Name:\tx\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
        Files.deleteIfExists(p.resolve("exe"));
        Files.createSymbolicLink(p.resolve("exe"), exe);
    }
}
