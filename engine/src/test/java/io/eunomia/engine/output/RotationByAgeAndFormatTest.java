package io.eunomia.engine.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.TestEvents;
import io.eunomia.rules.Priority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation by age, and a header that starts every CSV file, the live one and each rotated one. */
class RotationByAgeAndFormatTest {
    @TempDir
    Path dir;

    /** A clock the test moves. */
    private static final class Hands extends Clock {
        Instant now = Instant.parse("2026-12-06T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static Alert alert(int i) {
        return Alert.single("Rule " + i, Priority.WARNING, "output " + i, List.of("t"),
                TestEvents.open(TestEvents.T0 + i, i, "cat", "/secret/" + i), "test.drl:1");
    }

    @Test
    void aFileOlderThanMaxAgeIsRotatedAtTheNextAlertAndEveryCsvFileHasTheHeader() throws Exception {
        Path file = dir.resolve("alerts.csv");
        Hands clock = new Hands();
        RotatingFileWriter w = new RotatingFileWriter(file, AlertFormat.CSV,
                new RotatingFileWriter.Policy(1 << 20, Duration.ofHours(1), 3), clock);
        String header = AlertFormat.CSV.header().orElseThrow();
        assertThat(Files.readString(file)).isEqualTo(header);   // a tailer sees the header before any alert

        // Hours pass with no alert: nothing is rotated (a file is as old as its first alert).
        clock.now = clock.now.plus(Duration.ofHours(5));
        w.write(alert(1));
        clock.now = clock.now.plus(Duration.ofMinutes(59));
        w.write(alert(2));
        w.flush();
        assertThat(dir.resolve("alerts.csv.1")).doesNotExist();

        clock.now = clock.now.plus(Duration.ofMinutes(1));   // the live file is now one hour old
        w.write(alert(3));
        w.close();
        assertThat(Files.readString(dir.resolve("alerts.csv.1")))
                .isEqualTo(header + AlertFormat.CSV.record(alert(1)) + AlertFormat.CSV.record(alert(2)));
        assertThat(Files.readString(file)).isEqualTo(header + AlertFormat.CSV.record(alert(3)));
    }

    @Test
    void aRestartKeepsAppendingToItsOwnFormatAndRotatesAnotherFormatAway() throws Exception {
        Path file = dir.resolve("alerts.log");
        Policy big = new Policy();
        RotatingFileWriter json = new RotatingFileWriter(file, AlertFormat.JSON, big.policy, Clock.systemUTC());
        json.write(alert(1));
        json.close();
        RotatingFileWriter again = new RotatingFileWriter(file, AlertFormat.JSON, big.policy, Clock.systemUTC());
        again.write(alert(2));
        again.close();
        assertThat(Files.readAllLines(file)).hasSize(2);
        assertThat(dir.resolve("alerts.log.1")).doesNotExist();

        RotatingFileWriter csv = new RotatingFileWriter(file, AlertFormat.CSV, big.policy, Clock.systemUTC());
        csv.write(alert(3));
        csv.close();
        assertThat(Files.readAllLines(dir.resolve("alerts.log.1"))).hasSize(2).allMatch(l -> l.startsWith("{"));
        assertThat(Files.readString(file)).startsWith(AlertFormat.CSV.header().orElseThrow()).endsWith("test.drl:1\r\n");

        RotatingFileWriter csvAgain = new RotatingFileWriter(file, AlertFormat.CSV, big.policy, Clock.systemUTC());
        csvAgain.write(alert(4));
        csvAgain.close();
        assertThat(Files.readString(file)).containsOnlyOnce("time,rule,");   // no second header in one file
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("alerts.log", "alerts.log.1");
        }
    }

    private record Policy(RotatingFileWriter.Policy policy) {
        Policy() {
            this(new RotatingFileWriter.Policy(1 << 20, Duration.ZERO, 2));
        }
    }
}
