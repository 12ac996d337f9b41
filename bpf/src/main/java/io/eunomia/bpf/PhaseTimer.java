package io.eunomia.bpf;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Start-up steps (the sensors', the monitor's) timed one after the other on one thread and logged at debug level
 * ("start-up: file: load (verifier) 812 ms wall, 640 ms cpu"): where start-up goes, per phase. CPU
 * time is this thread's own (the kernel's verifier counts, it runs in the bpf() call), so a loaded
 * machine shows as wall time above cpu time.
 */
public final class PhaseTimer {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final System.Logger log;
    private long wall = System.nanoTime();
    private long cpu = cpuNow();

    public PhaseTimer(System.Logger log) {
        this.log = log;
    }

    /** Logs the time since the last mark (or creation) as {@code phase}, and starts the next. */
    public void mark(String phase) {
        long w = System.nanoTime();
        long c = cpuNow();
        if (log.isLoggable(Level.DEBUG)) {
            log.log(Level.DEBUG, "start-up: " + phase + " " + (w - wall) / 1_000_000 + " ms wall, "
                    + (c - cpu) / 1_000_000 + " ms cpu");
        }
        wall = w;
        cpu = c;
    }

    /**
     * CPU time of the whole process so far (every thread, the JVM's own included), in ms; -1 where
     * the JVM cannot tell. Start-up's real cost on a shared machine: its wall time there is about
     * this divided by the CPU share the scheduler gives the process.
     */
    public static long processCpuMillis() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1_000_000 : -1;
    }

    private static long cpuNow() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }
}
