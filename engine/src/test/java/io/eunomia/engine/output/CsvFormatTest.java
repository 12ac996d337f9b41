package io.eunomia.engine.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.TestEvents;
import io.eunomia.rules.Priority;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CSV alerts read back by an independent RFC 4180 parser (Jackson's), hostile field values included. */
class CsvFormatTest {
    private static List<Map<String, String>> read(String csv) throws Exception {
        CsvMapper mapper = new CsvMapper();
        try (MappingIterator<Map<String, String>> it = mapper.readerForMapOf(String.class)
                .with(mapper.schemaWithHeader()).with(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS).readValues(csv)) {
            return it.readAll();
        }
    }

    @Test
    void quotingKeepsCommasQuotesAndNewlinesOfFieldsExactly() throws Exception {
        String path = "/tmp/a,b \"quoted\"\nsecond line\r\n";
        Alert a = Alert.single("Read, \"sensitive\"", Priority.CRITICAL, "opened " + path, List.of("file", "mitre,T1005"),
                TestEvents.open(TestEvents.T0, 42, "c\"at", path), "rules/x.yaml:3");
        Alert plain = Alert.single("Plain", Priority.NOTICE, "nothing odd", List.of(),
                TestEvents.open(TestEvents.T0 + 1, 7, "cat", "/etc/shadow"), "rules/x.yaml:9");
        String csv = AlertFormat.CSV.header().orElseThrow() + AlertFormat.CSV.record(a) + AlertFormat.CSV.record(plain);

        List<Map<String, String>> rows = read(csv);
        assertThat(rows).hasSize(2);
        Map<String, String> r = rows.getFirst();
        assertThat(r.keySet()).containsExactlyElementsOf(AlertFormat.COLUMNS);
        assertThat(r.get("rule")).isEqualTo("Read, \"sensitive\"");
        assertThat(r.get("output")).isEqualTo("opened " + path);
        assertThat(r.get("comm")).isEqualTo("c\"at");
        assertThat(r.get("tags")).isEqualTo("file,mitre,T1005");
        assertThat(r.get("priority")).isEqualTo("CRITICAL");
        assertThat(r.get("container_name")).isEqualTo("web");
        assertThat(r.get("image")).isEqualTo("nginx:1");
        assertThat(r.get("event_type")).isEqualTo("file");
        assertThat(r.get("pid")).isEqualTo("42");
        assertThat(r.get("count")).isEqualTo("1");
        assertThat(r.get("summary")).isEqualTo("false");
        assertThat(r.get("time")).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(rows.get(1).get("rule")).isEqualTo("Plain");
        assertThat(rows.get(1).get("tags")).isEmpty();

        // RFC 4180: CRLF ends records; only fields that need it are quoted.
        assertThat(AlertFormat.CSV.record(plain)).endsWith(",rules/x.yaml:9\r\n").startsWith("2023-11-14T22:13:20.000000001Z,Plain,");
    }

    @Test
    void fieldsASpreadsheetWouldEvaluateStayText() throws Exception {
        Alert a = Alert.single("R", Priority.WARNING, "=HYPERLINK(\"http://x\",\"y\")", List.of("@t"),
                TestEvents.open(TestEvents.T0, 5, "+cmd|' /C calc'!A0", "/x"), "-src");
        Map<String, String> r = read(AlertFormat.CSV.header().orElseThrow() + AlertFormat.CSV.record(a)).getFirst();

        assertThat(r.get("output")).isEqualTo("'=HYPERLINK(\"http://x\",\"y\")");
        assertThat(r.get("comm")).isEqualTo("'+cmd|' /C calc'!A0");
        assertThat(r.get("tags")).isEqualTo("'@t");
        assertThat(r.get("source")).isEqualTo("'-src");
        assertThat(r.get("pid")).isEqualTo("5");
        assertThat(r.get("rule")).isEqualTo("R");
    }

    @Test
    void aSummaryCarriesItsCountAndSpan() throws Exception {
        Alert first = Alert.single("R", Priority.WARNING, "o", List.of(), TestEvents.open(TestEvents.T0, 1, "cat", "/x"), "s");
        Alert summary = first.summarize(4, TestEvents.T0 + 1_000_000_000L, TestEvents.open(TestEvents.T0 + 3_000_000_000L, 1,
                "cat", "/x"));
        Map<String, String> r = read(AlertFormat.CSV.header().orElseThrow() + AlertFormat.CSV.record(summary)).getFirst();
        assertThat(r).containsEntry("count", "4").containsEntry("summary", "true")
                .containsEntry("first", "2023-11-14T22:13:21Z").containsEntry("last", "2023-11-14T22:13:23Z");
    }

    @Test
    void stdoutWritesTheHeaderOnceBeforeTheFirstAlert() throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(java.nio.channels.Channels.newChannel(bytes), AlertFormat.CSV, false);
        w.flush();
        assertThat(bytes.size()).isZero();
        for (int i = 0; i < 3; i++) {
            w.write(Alert.single("R" + i, Priority.WARNING, "o", List.of(), TestEvents.open(TestEvents.T0 + i, 1, "cat", "/x"),
                    "s"));
        }
        w.close();
        assertThat(read(bytes.toString(java.nio.charset.StandardCharsets.UTF_8))).extracting(m -> m.get("rule"))
                .containsExactly("R0", "R1", "R2");
    }
}
