package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * Alerts in a file, rotated by size and by age: {@code alerts.jsonl} is the live file,
 * {@code alerts.jsonl.1} the newest full one ... {@code alerts.jsonl.N} the oldest kept. The live
 * path always exists for tailers: on rotation it is hard-linked to {@code .1} (after an fsync), and
 * a fresh file, made under a temporary name with the format's header, is renamed over it
 * atomically. A file's age counts from its first alert and is checked when an alert is written:
 * a file nobody writes to is not rotated.
 */
public final class RotatingFileWriter implements AlertWriter {
    /**
     * @param maxBytes rotate before a line would make the file larger than this
     * @param maxAge   rotate a file whose first alert was written this long ago; zero: never by age
     * @param keep     rotated files kept (0: the live file is just replaced)
     */
    public record Policy(long maxBytes, Duration maxAge, int keep) {
        public Policy {
            if (maxBytes < 1 || keep < 0 || maxAge.isNegative()) {
                throw new IllegalArgumentException("need maxBytes >= 1, maxAge >= 0 and keep >= 0");
            }
        }
    }

    private final Path path;
    private final AlertFormat format;
    private final Policy policy;
    private final Clock clock;
    private final byte[] header;
    private FileChannel channel;
    private OutputStream out;
    private long size;
    private Instant started;

    public RotatingFileWriter(Path path, AlertFormat format, Policy policy, Clock clock) throws IOException {
        this.path = path.toAbsolutePath();
        this.format = format;
        this.policy = policy;
        this.clock = clock;
        this.header = format.header().map(h -> h.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
        Path dir = this.path.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        if (Files.exists(this.path) && Files.size(this.path) > 0 && !startsWithHeader()) {
            rotate();   // another format's lines (e.g. JSON before --output-file-format csv): never mixed in one file
        } else {
            if (!Files.exists(this.path) || Files.size(this.path) == 0) {
                replaceLiveFile();
            }
            open();
        }
    }

    public static AlertOutput output(Path path, AlertFormat format, Policy policy) throws IOException {
        return new QueuedOutput("file", new RotatingFileWriter(path, format, policy, Clock.systemUTC()));
    }

    @Override
    public void write(Alert alert) throws IOException {
        byte[] line = format.record(alert).getBytes(StandardCharsets.UTF_8);
        if (size > header.length && (size + line.length > policy.maxBytes() || tooOld())) {
            rotate();
        }
        if (size <= header.length) {
            started = clock.instant();   // a file's age is its first alert's
        }
        out.write(line);
        size += line.length;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.flush();
        channel.force(false);
        out.close();
    }

    private boolean tooOld() {
        return !policy.maxAge().isZero() && !clock.instant().isBefore(started.plus(policy.maxAge()));
    }

    private boolean startsWithHeader() throws IOException {
        if (header.length == 0) {
            return true;
        }
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(header.length), header);
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        size = channel.size();
        // A file that already has alerts is as old as its birth (or last change, where the file
        // system does not keep births): a restart does not make an old file young again.
        if (size > header.length) {
            started = Files.readAttributes(path, BasicFileAttributes.class).creationTime().toInstant();
        }
    }

    private void rotate() throws IOException {
        if (out != null) {
            close();
        }
        if (policy.keep() > 0) {
            Files.deleteIfExists(numbered(policy.keep()));
            for (int i = policy.keep() - 1; i >= 1; i--) {
                Path from = numbered(i);
                if (Files.exists(from)) {
                    Files.move(from, numbered(i + 1), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.createLink(numbered(1), path);
        }
        replaceLiveFile();
        open();
    }

    /** A new live file with the header: written and synced under a temporary name, then renamed over. */
    private void replaceLiveFile() throws IOException {
        Path fresh = path.resolveSibling("." + path.getFileName() + ".tmp");
        Files.deleteIfExists(fresh);
        try (FileChannel c = FileChannel.open(fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            c.write(java.nio.ByteBuffer.wrap(header));
            c.force(true);
        }
        Files.move(fresh, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path numbered(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }
}
