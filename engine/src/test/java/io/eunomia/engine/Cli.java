package io.eunomia.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Test helper: runs the CLI in this JVM through {@link Main#run}, capturing what it prints. The
 * capture is the calling thread's (and that of threads it starts meanwhile): a test class running
 * beside it ({@link io.eunomia.testkit.BesideTheStream}) prints to the JVM's own streams, not into this command's
 * output, and this command's output does not go into the other's.
 */
public final class Cli {
    /** Exit code, stdout and stderr of one command. */
    public record Run(int exit, String out, String err) {}

    private static final InheritableThreadLocal<OutputStream> OUT = new InheritableThreadLocal<>();
    private static final InheritableThreadLocal<OutputStream> ERR = new InheritableThreadLocal<>();
    private static boolean routed;

    private Cli() {}

    /** One command at a time, as before: Main.run is not known to be safe to run twice at once. */
    public static synchronized Run run(String... args) {
        routeThroughThreads();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        OUT.set(o);
        ERR.set(e);
        try {
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            OUT.remove();
            ERR.remove();
        }
    }

    /** Once a JVM: System.out and System.err print to the current thread's capture, if it has one, else where they printed. */
    private static synchronized void routeThroughThreads() {
        if (!routed) {
            System.setOut(new PrintStream(new ThreadRouted(System.out, OUT), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new ThreadRouted(System.err, ERR), true, StandardCharsets.UTF_8));
            routed = true;
        }
    }

    /** Bytes to the writing thread's capture, or to the stream printed to before. */
    private static final class ThreadRouted extends OutputStream {
        private final OutputStream before;
        private final ThreadLocal<OutputStream> capture;

        ThreadRouted(OutputStream before, ThreadLocal<OutputStream> capture) {
            this.before = before;
            this.capture = capture;
        }

        private OutputStream target() {
            OutputStream c = capture.get();
            return c != null ? c : before;
        }

        @Override
        public void write(int b) throws IOException {
            target().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            target().flush();
        }
    }
}
