package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
