package io.eunomia.bpf.paths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A /proc of a test's making: what the stages read of a task (its mount namespace link, its root). */
final class FakeTasks {
    private FakeTasks() {}

    /** proc/PID in mount namespace mntns (ns/mnt → "mnt:[mntns]"); returns its root directory (proc/PID/root). */
    static Path task(Path proc, int pid, long mntns) throws IOException {
        Path task = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.createDirectories(task.resolve("ns"));
        Files.createSymbolicLink(task.resolve("ns/mnt"), Path.of("mnt:[" + mntns + "]"));
        return Files.createDirectories(task.resolve("root"));
    }
}
