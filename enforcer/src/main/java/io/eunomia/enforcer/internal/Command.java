package io.eunomia.enforcer.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program with an argument list (never through a shell), its output captured in files
 * rather than pipes: a runtime's shim or daemon may inherit them and keep a pipe open for ever.
 */
public final class Command {
    /** How a command ended. */
    public record Outcome(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The last lines of stderr (or stdout when stderr is empty), for one-line messages. */
        public String tail() {
            String s = stderr.isBlank() ? stdout : stderr;
            String[] lines = s.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }
    }

    /** The program did not end in time; it and its children were killed. */
    public static final class TimeoutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    private Command() {
    }

    /**
     * Runs {@code command} with {@code extraEnv} added to this process's environment.
     *
     * @throws TimeoutException after {@code timeout}
     * @throws IOException when the program cannot be started
     */
    public static Outcome run(List<String> command, Map<String, String> extraEnv, Duration timeout) throws IOException {
        long t0 = System.nanoTime();
        Path out = Files.createTempFile("eunomia-out-", ".log");
        Path err = Files.createTempFile("eunomia-err-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(extraEnv);
            Process p = pb.start();
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    throw new TimeoutException(command.getFirst() + " did not finish within " + timeout.toSeconds()
                            + " s (killed); " + Files.readString(err, StandardCharsets.UTF_8).strip());
                }
            } catch (InterruptedException e) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.getFirst(), e);
            }
            return new Outcome(List.copyOf(command), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** An executable on PATH or in the usual system directories, or null. */
    public static Path find(String name) {
        String path = System.getenv("PATH");
        java.util.LinkedHashSet<String> dirs = new java.util.LinkedHashSet<>();
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath();
            }
        }
        return null;
    }
}
