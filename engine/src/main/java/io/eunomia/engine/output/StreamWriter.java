package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Alerts as lines on a stream (stdout). Every alert is one whole line: lines are written only
 * whole, in batches of at most {@link #BATCH_BYTES} (PIPE_BUF: a pipe takes such a write at once,
 * whoever else writes to it), each batch with one write(2) straight to the file descriptor, past
 * System.out's buffer that any code in the process may print into. A batch leaves when the queue
 * runs empty or the next line would not fit.
 */
public final class StreamWriter implements AlertWriter {
    static final int BATCH_BYTES = 4096;

    private final WritableByteChannel out;
    private final AlertFormat format;
    private final boolean closeChannel;
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream(BATCH_BYTES);
    private boolean headerWritten;

    public StreamWriter(WritableByteChannel out, AlertFormat format, boolean closeChannel) {
        this.out = out;
        this.format = format;
        this.closeChannel = closeChannel;
    }

    public static AlertOutput stdout(AlertFormat format) {
        return new QueuedOutput("stdout", new StreamWriter(stdoutChannel(Path.of("/proc/self/fd/1")), format, false));
    }

    /**
     * Standard output. When it is a regular file, a description of our own opened with O_APPEND:
     * every batch then lands at the file's end whoever else writes to the file. With the shell's
     * plain {@code > file} each writer has its own offset, so a second monitor started on the same
     * file wrote its lines over ours (an alert cut mid-line, followed by the other's next line); and
     * a log rotation that truncates the file leaves no hole.
     */
    static WritableByteChannel stdoutChannel(Path stdout) {
        if (Files.isRegularFile(stdout)) {
            try {
                return FileChannel.open(stdout, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            } catch (IOException | UnsupportedOperationException e) {
                // Not reopenable (e.g. gone): write through the inherited descriptor.
            }
        }
        return new FileOutputStream(FileDescriptor.out).getChannel();
    }

    @Override
    public void write(Alert alert) throws IOException {
        if (!headerWritten) {
            headerWritten = true;
            // Before the first alert (not at start): a monitor that raises nothing writes nothing.
            format.header().ifPresent(h -> batch.writeBytes(h.getBytes(StandardCharsets.UTF_8)));
        }
        byte[] line = format.record(alert).getBytes(StandardCharsets.UTF_8);
        if (batch.size() > 0 && batch.size() + line.length > BATCH_BYTES) {
            flush();
        }
        batch.write(line);
    }

    @Override
    public void flush() throws IOException {
        if (batch.size() == 0) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(batch.toByteArray());
        batch.reset(); // on failure the batch is lost, not written twice by the retry
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            if (closeChannel) {
                out.close();
            }
        }
    }
}
