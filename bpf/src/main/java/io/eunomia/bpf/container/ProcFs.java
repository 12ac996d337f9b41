package io.eunomia.bpf.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** The few /proc reads attribution needs. A process may be gone: absence is a value, not an error. */
final class ProcFs {
    private final Path proc;

    ProcFs(Path proc) {
        this.proc = proc;
    }

    static ProcFs system() {
        return new ProcFs(Path.of("/proc"));
    }

    List<String> cgroup(int pid) {
        try {
            return Files.readAllLines(proc.resolve(Integer.toString(pid)).resolve("cgroup"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Inode number of /proc/PID/ns/mnt ("mnt:[4026531841]"). */
    OptionalLong mntns(int pid) {
        try {
            String link = Files.readSymbolicLink(proc.resolve(Integer.toString(pid)).resolve("ns").resolve("mnt")).toString();
            int open = link.indexOf('[');
            int close = link.indexOf(']');
            if (open < 0 || close < open) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(link.substring(open + 1, close)));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Pids of every process now running. */
    List<Integer> pids() {
        try (var s = Files.list(proc)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.isEmpty() && n.chars().allMatch(Character::isDigit))
                    .map(Integer::parseInt).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
