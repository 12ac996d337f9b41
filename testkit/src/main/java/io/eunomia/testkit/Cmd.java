package io.eunomia.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command with its output captured in files (not pipes: detached containers and daemons
 * inherit the command's stdio and would keep a pipe open for ever).
 */
final class Cmd {
    /** {@code -Deunomia.testkit.trace=true} prints every command with its duration and exit code. */
    static final boolean TRACE = Boolean.getBoolean("eunomia.testkit.trace");
    private Cmd() {
    }

    static Result run(List<String> command, Map<String, String> env, Duration timeout) {
        return run(command, env, timeout, null);
    }

    static Result run(List<String> command, Map<String, String> env, Duration timeout, Path stdoutFile) {
        return run(command, env, timeout, stdoutFile, null);
    }

    /**
     * @param stdoutFile where the child's stdout goes (kept), or {@code null} for a temp file
     * @param stderrFile where the child's stderr goes (kept), or {@code null} for a temp file
     */
    static Result run(List<String> command, Map<String, String> env, Duration timeout, Path stdoutFile,
                      Path stderrFile) {
        long t0 = System.nanoTime();
        Path out = null;
        Path err = null;
        try {
            out = stdoutFile != null ? stdoutFile : Files.createTempFile("eunomia-testkit-out-", ".log");
            err = stderrFile != null ? stderrFile : Files.createTempFile("eunomia-testkit-err-", ".log");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("timed out after " + timeout + ": " + command
                        + "\n--- stdout ---\n" + read(out) + "\n--- stderr ---\n" + read(err));
            }
            Result r = new Result(null, p.exitValue(), read(out), read(err), Duration.ofNanos(System.nanoTime() - t0));
            if (TRACE) {
                System.err.printf("eunomia-testkit: %d ms, exit %d: %s%n", r.elapsed().toMillis(), r.exitCode(), command);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (stdoutFile == null) {
                deleteQuietly(out);
            }
            if (stderrFile == null) {
                deleteQuietly(err);
            }
        }
    }

    static String read(Path file) {
        try {
            return file == null || !Files.exists(file) ? "" : Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<unreadable: " + e + ">";
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
