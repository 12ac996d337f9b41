package io.eunomia.engine.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.ProcessInfo;
import io.eunomia.rules.Priority;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alert lines on a stream: one whole line per alert, whatever the alert's text holds. */
class StreamWriterTest {
    private static Alert alert(String output) {
        ProcessInfo p = new ProcessInfo(42, 42, 1, 0, 0, 0, 0, "cat", 4026531832L, 1, 4026531836L, 1, ContainerInfo.HOST);
        return Alert.single("Read sensitive file", Priority.WARNING, output, List.of(), new ForkEvent(1_000, p, 43), "test");
    }

    @Test
    void aNewlineInWhatAnAlertQuotesCannotStartALineOfItsOwn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out");
        // A file name made to look like a second, forged alert.
        String forged = "/tmp/x\n1970-01-01T00:00:00Z CRITICAL Fake: all is well\r\t\u0007";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            StreamWriter w = new StreamWriter(ch, AlertFormat.TEXT, false);
            w.write(alert("opened " + forged));
            w.close();
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).singleElement().satisfies(l -> assertThat(l)
                .endsWith("opened /tmp/x\\n1970-01-01T00:00:00Z CRITICAL Fake: all is well\\r\\t\\x07"));
    }

    @Test
    void linesLeaveWholeInBatchesOfAtMostPipeBuf(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out");
        List<Integer> writes = new java.util.ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            java.nio.channels.WritableByteChannel counting = new java.nio.channels.WritableByteChannel() {
                @Override
                public int write(java.nio.ByteBuffer src) throws java.io.IOException {
                    int n = ch.write(src);
                    writes.add(n);
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {}
            };
            StreamWriter w = new StreamWriter(counting, AlertFormat.TEXT, false);
            for (int i = 0; i < 100; i++) {
                w.write(alert("line " + i + " " + "x".repeat(i * 7)));
            }
            w.flush();
        }
        assertThat(Files.readAllLines(file)).hasSize(100);
        byte[] all = Files.readAllBytes(file);
        int at = 0;
        for (int n : writes) {
            assertThat(n).isLessThanOrEqualTo(StreamWriter.BATCH_BYTES);
            at += n;
            assertThat(all[at - 1]).as("a write ends at a line's end").isEqualTo((byte) '\n');
        }
        assertThat(writes.size()).as("batched, not one write per line").isLessThan(100);
    }

    @Test
    void stdoutOnARegularFileAppendsSoAnotherWritersLinesAndOursNeverOverlap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("alerts.log");
        Files.writeString(file, "");
        // Two writers on one file, each with its own offset (two processes started with `> file`).
        try (var a = StreamWriter.stdoutChannel(file); var b = StreamWriter.stdoutChannel(file)) {
            StreamWriter wa = new StreamWriter(a, AlertFormat.TEXT, false);
            StreamWriter wb = new StreamWriter(b, AlertFormat.TEXT, false);
            for (int i = 0; i < 20; i++) {
                wa.write(alert("a " + i + " container=" + "long-name-".repeat(i % 3)));
                wa.flush();
                wb.write(alert("b " + i));
                wb.flush();
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(40).allSatisfy(l -> assertThat(l).startsWith("1970-01-01T00:00:00.000001Z WARNING "));
    }
}
