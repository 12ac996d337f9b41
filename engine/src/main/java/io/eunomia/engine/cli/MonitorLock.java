package io.eunomia.engine.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Tells a second monitor on the host that one already runs: both see every event, so every alert
 * is reported twice (and, written to the same file, each monitor's lines overwrote the other's).
 * A warning, not a refusal: running two on purpose (trying rules) is allowed. A lock on a file
 * holding the owner's pid; the kernel drops it when the owner exits, however it exits.
 */
final class MonitorLock implements AutoCloseable {
    static final Path DEFAULT = Path.of("/run/eunomia/monitor.lock");

    /** {@link #DEFAULT}, or EUNOMIA_MONITOR_LOCK (isolated instances, tests). */
    static Path path() {
        String env = System.getenv("EUNOMIA_MONITOR_LOCK");
        return env == null || env.isBlank() ? DEFAULT : Path.of(env);
    }

    private final FileChannel channel;
    private final FileLock lock;

    private MonitorLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** What the caller holds (null when another has it), and who else runs. Close it when done. */
    record Result(MonitorLock held, Optional<String> otherMonitor) implements AutoCloseable {
        @Override
        public void close() {
            if (held != null) {
                held.close();
            }
        }
    }

    static Result acquire(Path file) {
        FileChannel ch = null;
        try {
            Files.createDirectories(file.getParent());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                ch.close();
                return new Result(null, Optional.of("another eunomia monitor runs in this process"));
            }
            if (lock == null) {
                ByteBuffer buf = ByteBuffer.allocate(32);
                ch.read(buf, 0);
                String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
                ch.close();
                return new Result(null, Optional.of("another eunomia monitor is running" + (pid.isEmpty() ? "" : " (pid " + pid + ")")));
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new Result(new MonitorLock(ch, lock), Optional.empty());
        } catch (IOException | RuntimeException e) {
            // No place for the lock (e.g. a read-only /run): monitoring does not depend on it.
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing a channel we could not use
                }
            }
            return new Result(null, Optional.empty());
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // released by the kernel at exit anyway
        }
    }
}
