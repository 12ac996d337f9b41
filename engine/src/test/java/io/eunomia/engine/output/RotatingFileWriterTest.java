package io.eunomia.engine.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.TestEvents;
import io.eunomia.rules.Priority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileWriterTest {
    private static DeliveryQueue.Settings settings(int capacity, int attempts) {
        return new DeliveryQueue.Settings(capacity, 1, attempts, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1),
                java.time.Duration.ofSeconds(5));
    }

    private static Alert alert(int i) {
        return Alert.single("Rule " + i, Priority.WARNING, "output " + i, List.of("t"),
                TestEvents.open(TestEvents.T0 + i, i, "cat", "/secret/" + i), "test.drl:1");
    }

    @Test
    void rotatesBySizeKeepsNFilesAndLosesNoLineOfTheKeptOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("alerts.jsonl");
        int lineBytes = (AlertFormat.JSON.format(alert(10)) + "\n").length();
        QueuedOutput out = new QueuedOutput("file", new RotatingFileWriter(file, AlertFormat.JSON,
                new RotatingFileWriter.Policy(lineBytes * 3L, java.time.Duration.ZERO, 2), java.time.Clock.systemUTC()), settings(100, 1));
        for (int i = 10; i < 30; i++) {   // 20 alerts, 3 per file
            out.emit(alert(i));
        }
        out.close();
        assertThat(out.stats().delivered()).isEqualTo(20);
        assertThat(dir.resolve("alerts.jsonl.3")).doesNotExist();
        List<String> kept = new ArrayList<>();
        for (Path p : List.of(dir.resolve("alerts.jsonl.2"), dir.resolve("alerts.jsonl.1"), file)) {
            assertThat(Files.size(p)).isLessThanOrEqualTo(lineBytes * 3L);
            kept.addAll(Files.readAllLines(p));
        }
        ObjectMapper m = new ObjectMapper();
        List<String> rules = new ArrayList<>();
        for (String line : kept) {
            JsonNode n = m.readTree(line);
            rules.add(n.get("rule").asText());
            assertThat(n.get("event").get("type").asText()).isEqualTo("file");
            assertThat(n.get("container").get("name").asText()).isEqualTo("web");
        }
        // 20 lines = 6 full files + 2 in the live one; the newest 8 survive, in order.
        assertThat(rules).containsExactly("Rule 22", "Rule 23", "Rule 24", "Rule 25", "Rule 26", "Rule 27", "Rule 28",
                "Rule 29");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("alerts.jsonl",
                    "alerts.jsonl.1", "alerts.jsonl.2");
        }
    }

    @Test
    void aFailingWriterIsRetriedThenCounted() throws Exception {
        int[] calls = {0};
        AlertWriter flaky = a -> {
            if (calls[0]++ % 2 == 0) {
                throw new java.io.IOException("temporarily unavailable");
            }
        };
        QueuedOutput retried = new QueuedOutput("flaky", flaky, settings(10, 2));
        retried.emit(alert(1));
        retried.close();
        assertThat(retried.stats()).isEqualTo(new DeliveryQueue.Stats(1, 0, 0, 1));

        QueuedOutput broken = new QueuedOutput("broken", a -> {
            throw new java.io.IOException("down");
        }, settings(10, 3));
        broken.emit(alert(1));
        broken.close();
        assertThat(broken.stats()).isEqualTo(new DeliveryQueue.Stats(0, 0, 1, 3));
        assertThat(broken.stats().lost()).isEqualTo(1);
    }
}
