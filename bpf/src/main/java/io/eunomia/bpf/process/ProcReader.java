package io.eunomia.bpf.process;

import io.eunomia.libbpf.PathDescriptors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The /proc reads the process table needs. A process may be gone by the time its event is read:
 * absence is a value (empty, "", -1), never an error.
 */
final class ProcReader {
    /** What /proc says about one process. */
    record Snapshot(int pid, int ppid, String comm, String exe, String cmdline, long startNanos) {}

    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux, what /proc/PID/stat counts in
    private final Path proc;
    private final long bootEpochNanos;

    ProcReader(Path proc) {
        this.proc = proc;
        this.bootEpochNanos = bootTime(proc);
    }

    static ProcReader system() {
        return new ProcReader(Path.of("/proc"));
    }

    /** The pids /proc lists now (the table's seed). */
    List<Integer> pids() {
        try (var s = Files.list(proc)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.isEmpty() && n.chars().allMatch(Character::isDigit))
                    .map(Integer::parseInt).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    Optional<Snapshot> snapshot(int pid) {
        String stat = read(pid, "stat");
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String comm = stat.substring(stat.indexOf('(') + 1, close);
        String[] f = stat.substring(close + 2).split(" ");
        if (f.length < 20) {
            return Optional.empty();
        }
        try {
            int ppid = Integer.parseInt(f[1]);
            long ticks = Long.parseLong(f[19]);
            long start = bootEpochNanos == 0 ? 0 : bootEpochNanos + ticks * (1_000_000_000L / CLOCK_TICKS);
            return Optional.of(new Snapshot(pid, ppid, comm, exe(pid), cmdline(pid), start));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    String exe(int pid) {
        return link(pid, "exe");
    }

    /** The working directory with a trailing / (Falco's form), "" when gone. */
    String cwd(int pid) {
        String c = link(pid, "cwd");
        return c.isEmpty() || c.endsWith("/") ? c : c + "/";
    }

    String cmdline(int pid) {
        String raw = read(pid, "cmdline");
        if (raw.endsWith("\0")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return raw.replace('\0', ' ');
    }

    /** CapEff, Seccomp, CapPrm and NSpid's last of /proc/PID/status: {capEffective, seccompMode, capPermitted, vpid}, -1 each when unknown. */
    long[] status(int pid) {
        long caps = -1;
        long seccomp = -1;
        long permitted = -1;
        long vpid = -1;
        for (String line : read(pid, "status").split("\n")) {
            try {
                if (line.startsWith("CapEff:")) {
                    caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                } else if (line.startsWith("CapPrm:")) {
                    permitted = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                } else if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring(6).strip().split("\\s+");
                    vpid = Long.parseLong(ids[ids.length - 1]);
                } else if (line.startsWith("Seccomp:")) {
                    seccomp = Long.parseLong(line.substring(8).strip());
                }
            } catch (NumberFormatException e) {
                // leave it unknown
            }
        }
        return new long[] {caps, seccomp, permitted, vpid};
    }

    /** CapBnd of /proc/PID/status; all bits when unreadable (then nothing counts as having them all). */
    long bounding(int pid) {
        for (String line : read(pid, "status").split("\n")) {
            if (line.startsWith("CapBnd:")) {
                try {
                    return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        return -1L;
    }

    /** The process's /proc directory (what mount tables are read through). */
    Path task(int pid) {
        return proc.resolve(Integer.toString(pid));
    }

    /** The process's root directory as the host reaches it (/proc/PID/root). */
    Path root(int pid) {
        return proc.resolve(Integer.toString(pid)).resolve("root");
    }

    /** A file in the process's root, as seen through /proc/PID/root. */
    Path inRoot(int pid, String path) {
        return proc.resolve(Integer.toString(pid)).resolve("root").resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    private String link(int pid, String name) {
        String text = PathDescriptors.readLink(proc.resolve(Integer.toString(pid)).resolve(name).toString());
        return text == null ? "" : text;
    }

    private String read(int pid, String name) {
        try {
            return Files.readString(proc.resolve(Integer.toString(pid)).resolve(name), StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return "";
        }
    }

    private static long bootTime(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("stat"))) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).strip()) * 1_000_000_000L;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // start times stay unknown
        }
        return 0;
    }
}
