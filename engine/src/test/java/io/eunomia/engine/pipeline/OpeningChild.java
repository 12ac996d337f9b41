package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Test helper: a child (python3) that opens read-only each path it is sent, a batch a line, and answers
 * "ok" once it opened them all (a missing one too: the open fails, the batch goes on); relative paths
 * are in its working directory. A test starts the monitor on its pid alone. {@link #stamping} makes one
 * that also sets each file's times to 2001-01-01 through the descriptor it opened (futimens, as touch -d).
 */
final class OpeningChild implements AutoCloseable {
    private final Process process;
    private final BufferedReader replies;

    /** @param workingDirectory where relative paths are, or null for this JVM's */
    OpeningChild(Path workingDirectory) throws IOException {
        this(workingDirectory, "pass");
    }

    /** A child that sets each file's times to 2001-01-01T00:00:00Z by its descriptor (futimens) once it opened it. */
    static OpeningChild stamping(Path workingDirectory) throws IOException {
        return new OpeningChild(workingDirectory, "os.utime(fd, (978307200, 978307200))");
    }

    private OpeningChild(Path workingDirectory, String withFd) throws IOException {
        process = new ProcessBuilder("python3", "-c", """
                import os, sys
                for line in iter(sys.stdin.readline, ''):
                    for p in line.rstrip('\\n').split('\\t'):
                        try:
                            fd = os.open(p, os.O_RDONLY)
                        except OSError:
                            continue
                        try:
                            %s
                        finally:
                            os.close(fd)
                    print('ok', flush=True)
                """.formatted(withFd)).directory(workingDirectory == null ? null : workingDirectory.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    long pid() {
        return process.pid();
    }

    /** Has the child open each path; returns once it did. */
    void open(List<String> paths) throws IOException {
        process.getOutputStream().write((String.join("\t", paths) + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
        assertThat(replies.readLine()).isEqualTo("ok");
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
