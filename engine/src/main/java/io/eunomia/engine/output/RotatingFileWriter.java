package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Alerts as JSON lines in a file, rotated by size: {@code alerts.jsonl} is the live file,
 * {@code alerts.jsonl.1} the newest full one ... {@code alerts.jsonl.N} the oldest kept. The live
 * path always exists for tailers: on rotation it is hard-linked to {@code .1}, and a fresh empty
 * file, made under a temporary name, is renamed over it atomically.
 */
public final class RotatingFileWriter implements AlertWriter {
    private final Path path;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long size;

    /**
     * @param maxBytes rotate before a line would make the file larger than this
     * @param keep     rotated files kept (0: the live file is just truncated)
     */
    public RotatingFileWriter(Path path, long maxBytes, int keep) throws IOException {
        if (maxBytes < 1 || keep < 0) {
            throw new IllegalArgumentException("need maxBytes >= 1 and keep >= 0");
        }
        this.path = path.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.keep = keep;
        Path dir = this.path.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        open();
    }

    public static AlertOutput output(Path path, long maxBytes, int keep) throws IOException {
        return new QueuedOutput("file", new RotatingFileWriter(path, maxBytes, keep));
    }

    @Override
    public void write(Alert alert) throws IOException {
        byte[] line = (AlertFormat.JSON.format(alert) + "\n").getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + line.length > maxBytes) {
            rotate();
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
        out.close();
    }

    private void open() throws IOException {
        out = new java.io.BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), 1 << 16);
        size = Files.size(path);
    }

    private void rotate() throws IOException {
        out.close();
        if (keep > 0) {
            Files.deleteIfExists(numbered(keep));
            for (int i = keep - 1; i >= 1; i--) {
                Path from = numbered(i);
                if (Files.exists(from)) {
                    Files.move(from, numbered(i + 1), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.createLink(numbered(1), path);
        }
        Path fresh = path.resolveSibling("." + path.getFileName() + ".tmp");
        Files.deleteIfExists(fresh);
        Files.createFile(fresh);
        Files.move(fresh, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path numbered(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }
}
