package io.eunomia.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What runs beside the loops in one configuration of {@link LearningBench}: nothing, {@code eunomia
 * learn --all-containers} in its own JVM (the product as a user starts it, with this JVM's class
 * path and flags), or the bpftrace peer. Output goes to files in the configuration's directory, so
 * nothing blocks on a full pipe.
 */
final class LearningPeer implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private long startedNanos;
    private double cpuMsPerSecond = Double.NaN;

    private LearningPeer(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedNanos = System.nanoTime();
    }

    /** Starts the configuration and returns once it is attached. */
    static LearningPeer start(String config, Path dir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        String ready;
        switch (config) {
            case "none" -> {
                return new LearningPeer(config, null, null);
            }
            case "learning" -> {
                cmd.add(ProcessHandle.current().info().command().orElse("java"));
                cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp",
                        System.getProperty("java.class.path"), "io.eunomia.engine.Main", "learn", "--all-containers",
                        "--out-dir", dir.resolve("profiles").toString(), "--format", "json"));
                ready = "eunomia: learning ";
            }
            case "bpftrace" -> {
                cmd.addAll(List.of("bpftrace", "-e", LearningBench.BPFTRACE_PROGRAM));
                ready = "Attaching ";
            }
            default -> throw new IllegalArgumentException("unknown configuration " + config);
        }
        Path log = dir.resolve(config + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LearningPeer peer = new LearningPeer(config, p, log);
        for (int i = 0; i < 600; i++) {
            if (Files.readString(log).contains(ready)) {
                Thread.sleep(200);   // attached: let it settle
                peer.startedNanos = System.nanoTime();
                peer.cpuAtStart = cpuMillis(p.pid());
                return peer;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        peer.close();
        throw new IllegalStateException(config + " did not start: " + Files.readString(log));
    }

    /** Stops it the way a user does (SIGTERM: learn writes its profiles) and waits for it. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            double seconds = (System.nanoTime() - startedNanos) / 1e9;
            cpuMsPerSecond = (cpuMillis(process.pid()) - cpuAtStart) / seconds;
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not stop on SIGTERM");
            }
        }
    }

    Path log() {
        return log;
    }

    /** Its CPU time (user + system) per second of wall time from attached to stopped. */
    double cpuMsPerSecond() {
        return cpuMsPerSecond;
    }

    private long cpuAtStart;

    /** utime + stime of a process, in ms (/proc/PID/stat fields 14 and 15, in clock ticks of 10 ms). */
    private static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
