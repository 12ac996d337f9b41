package io.eunomia.engine.learn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.Cli;
import io.eunomia.engine.EunomiaProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@code eunomia learn} in its own JVM, as a user runs it; its JSON progress lines and stderr collected. */
final class LearnRun implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Process process;
    final LinkedBlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    final StringBuffer stderr = new StringBuffer();
    private final LinkedBlockingQueue<String> errLines = new LinkedBlockingQueue<>();

    private LearnRun(Process p) {
        this.process = p;
        Thread.ofPlatform().daemon().start(() -> read(p.inputReader(StandardCharsets.UTF_8), true));
        Thread.ofPlatform().daemon().start(() -> read(p.errorReader(StandardCharsets.UTF_8), false));
    }

    /** Starts {@code eunomia learn ARGS} and waits until it says it is learning (sensors attached). */
    static LearnRun start(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("learn", "--format", "json"));
        all.addAll(List.of(args));
        LearnRun r = new LearnRun(EunomiaProcess.builder(all.toArray(String[]::new)).start());
        try {
            r.awaitErr("eunomia: learning ");
        } catch (Exception | Error e) {
            // Not returned, so no try-with-resources closes it: a learner left running keeps its programs attached.
            r.close();
            throw e;
        }
        return r;
    }

    /** Runs {@code eunomia ARGS} to the end. */
    static Finished run(String... args) throws Exception {
        Process p = EunomiaProcess.builder(args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("eunomia %s ended", String.join(" ", args)).isTrue();
        return new Finished(p.exitValue(), out, err);
    }

    /**
     * Runs {@code eunomia ARGS} in this JVM (the same Main.run a process runs): for commands that
     * only read and write files, where a JVM start of its own would check nothing more.
     */
    static Finished inProcess(String... args) {
        Cli.Run r = Cli.run(args);
        return new Finished(r.exit(), r.out(), r.err());
    }

    record Finished(int exit, String stdout, String stderr) {}

    private void read(BufferedReader in, boolean json) {
        try (in) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (json) {
                    lines.add(JSON.readTree(line));
                } else {
                    stderr.append(line).append('\n');
                    errLines.add(line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    String awaitErr(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String l = errLines.poll(100, TimeUnit.MILLISECONDS);
            if (l != null && l.contains(text)) {
                return l;
            }
            if (l == null && !process.isAlive() && errLines.isEmpty()) {
                break;
            }
        }
        throw new AssertionError("no stderr line with '" + text + "'; stderr:\n" + stderr);
    }

    /** The next JSON line of this type. */
    JsonNode await(String type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode n = lines.poll(100, TimeUnit.MILLISECONDS);
            if (n != null && n.path("type").asText().equals(type)) {
                return n;
            }
        }
        throw new AssertionError("no '" + type + "' line within 60 s; stderr:\n" + stderr);
    }

    /** Waits for the end; returns the exit status. */
    int finish() throws InterruptedException {
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("learn ended; stderr:\n" + stderr).isTrue();
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
