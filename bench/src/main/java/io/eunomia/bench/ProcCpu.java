package io.eunomia.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's (or a task's) user + system CPU seconds from its stat file. */
final class ProcCpu {
    static final long TICKS_PER_SECOND = 100;   // USER_HZ, the unit of /proc/PID/stat's times

    private ProcCpu() {}

    static double seconds(long pid) throws IOException {
        return ofStat(Path.of("/proc", String.valueOf(pid), "stat"));
    }

    /** Time the process's main thread ran, in ns resolution (/proc/PID/schedstat): for single-threaded servers. */
    static double runSeconds(long pid) throws IOException {
        return Long.parseLong(Files.readString(Path.of("/proc", String.valueOf(pid), "schedstat")).split(" ")[0]) / 1e9;
    }

    /**
     * user + system CPU seconds of this JVM's children that have ended and been waited for
     * (cutime + cstime of /proc/self/stat): what a child such as wrk used, once it is reaped.
     */
    static double reapedChildrenSeconds() throws IOException {
        String[] f = fields(Path.of("/proc/self/stat"));
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / (double) TICKS_PER_SECOND;
    }

    static double ofStat(Path stat) throws IOException {
        String[] f = fields(stat);
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS_PER_SECOND;   // utime, stime
    }

    /** The fields after the command name: f[0] is the state, f[11] utime (the stat file's 14th field). */
    private static String[] fields(Path stat) throws IOException {
        String s = Files.readString(stat);
        return s.substring(s.lastIndexOf(')') + 2).split(" ");
    }
}
