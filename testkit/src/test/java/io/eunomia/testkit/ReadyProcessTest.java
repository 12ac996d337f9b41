package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadyProcessTest {
    @Test
    void aProgramThatSaysTheWordIsReturnedRunning() throws Exception {
        Process p = ReadyProcess.start(new ProcessBuilder("sh", "-c", "echo ready; exec sleep 60"), "ready", "sh did not start");
        try {
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aProgramThatSaysAnythingElseIsEndedAndNamed() {
        // it says its pid, then would hold on: the failure must not leave it running
        AtomicReference<String> said = new AtomicReference<>();
        assertThatThrownBy(() -> ReadyProcess.start(new ProcessBuilder("sh", "-c", "echo $$; exec sleep 60"), "ready", "sh did not start"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("sh did not start \\(said \\d+\\)")
                .satisfies(e -> said.set(e.getMessage().replaceAll("\\D", "")));
        assertThat(ProcessHandle.of(Long.parseLong(said.get())).map(ProcessHandle::isAlive).orElse(false)).as("pid " + said.get() + " alive").isFalse();
        assertThatThrownBy(() -> ReadyProcess.start(new ProcessBuilder("true"), "ready", "true did not start"))
                .hasMessage("true did not start (said null)");
    }

    @Test
    void anErrorWhileReadingEndsTheProgram() {
        // as an OutOfMemoryError in readLine: what the program holds must not outlive it either
        AtomicReference<String> said = new AtomicReference<>();
        OutOfMemoryError error = new OutOfMemoryError("reading its first line");
        assertThatThrownBy(() -> ReadyProcess.start(new ProcessBuilder("sh", "-c", "echo $$; exec sleep 60"), "ready", "sh did not start",
                p -> {
                    said.set(firstLine(p));
                    throw error;
                }, Duration.ofSeconds(60)))
                .isSameAs(error);
        assertThat(ProcessHandle.of(Long.parseLong(said.get())).map(ProcessHandle::isAlive).orElse(false)).as("pid " + said.get() + " alive").isFalse();
    }

    /**
     * A program the kernel keeps after SIGKILL is named so: its tracer (ptrace, seized while it holds on)
     * does not wait for it, so its parent cannot await its end until the tracer goes.
     */
    @Test
    void aProgramThatOutlivesItsKillIsNamedStillRunning() throws Exception {
        AtomicReference<Process> tracer = new AtomicReference<>();
        try {
            assertThatThrownBy(() -> ReadyProcess.start(new ProcessBuilder("sh", "-c", "echo $$; exec sleep 60"), "ready", "sh did not start",
                    p -> {
                        String pid = firstLine(p);
                        tracer.set(ReadyProcess.start(new ProcessBuilder("python3", "-c", """
                                import ctypes,sys,time
                                libc = ctypes.CDLL(None, use_errno=True)
                                L = ctypes.c_long
                                assert libc.ptrace(L(0x4206), L(int(sys.argv[1])), L(0), L(0)) == 0, ctypes.get_errno()  # PTRACE_SEIZE
                                print('traced', flush=True)
                                time.sleep(600)
                                """, pid), "traced", "python3 did not trace " + pid));
                        return pid;
                    }, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageMatching("sh did not start \\(said (\\d+)\\); pid \\1 still running 1 s after SIGKILL");
        } finally {
            if (tracer.get() != null) {
                tracer.get().destroyForcibly().waitFor();
            }
        }
    }

    private static String firstLine(Process p) throws java.io.IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
}
