package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** Alerts as lines on a stream (stdout), flushed whenever the queue runs empty. */
public final class StreamWriter implements AlertWriter {
    private final Writer out;
    private final AlertFormat format;
    private final boolean closeStream;

    public StreamWriter(OutputStream stream, AlertFormat format, boolean closeStream) {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
        this.format = format;
        this.closeStream = closeStream;
    }

    public static AlertOutput stdout(AlertFormat format) {
        return new QueuedOutput("stdout", new StreamWriter(System.out, format, false));
    }

    @Override
    public void write(Alert alert) throws IOException {
        out.write(format.format(alert));
        out.write('\n');
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closeStream) {
            out.close();
        } else {
            out.flush();
        }
    }
}
