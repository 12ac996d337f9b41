package io.eunomia.engine.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.alert.Alert;
import io.eunomia.event.format.EventJson;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ProcessInfo;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How alerts are written: one line of text for people, one JSON object per line, or CSV records
 * (RFC 4180, after a header) for spreadsheets and {@code COPY ... CSV HEADER}.
 */
public enum AlertFormat {
    TEXT {
        @Override
        public String format(Alert a) {
            String text = Instant.ofEpochSecond(0, a.epochNanos()) + " " + a.priority() + " " + oneLine(a.rule() + ": " + a.output());
            return a.summary()
                    ? text + " (" + a.repeats() + ")"
                    : text;
        }
    },
    JSON {
        @Override
        public String format(Alert a) {
            ObjectNode n = MAPPER.createObjectNode();
            n.put("time", Instant.ofEpochSecond(0, a.epochNanos()).toString());
            n.put("rule", a.rule());
            n.put("priority", a.priority().name());
            n.put("severity", a.priority().severity());
            n.put("output", a.output());
            n.putPOJO("tags", a.tags());
            n.put("count", a.count());
            if (a.summary()) {
                n.put("summary", true);
                n.put("first", Instant.ofEpochSecond(0, a.firstNanos()).toString());
                n.put("last", Instant.ofEpochSecond(0, a.lastNanos()).toString());
            }
            n.set("container", MAPPER.valueToTree(a.container()));
            ObjectNode event = EVENTS.tree(a.event());
            ObjectNode typed = MAPPER.createObjectNode();
            typed.put("type", a.event().type().cliName());
            typed.setAll(event);
            n.set("event", typed);
            n.put("source", a.source());
            try {
                return MAPPER.writeValueAsString(n);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise alert of rule " + a.rule(), e);
            }
        }
    },
    CSV {
        @Override
        public String format(Alert a) {
            String record = record(a);
            return record.substring(0, record.length() - Csv.RECORD_END.length());
        }

        @Override
        public String record(Alert a) {
            ContainerInfo c = a.container();
            ProcessInfo p = a.event().process();
            return Csv.record(List.of(Instant.ofEpochSecond(0, a.epochNanos()).toString(), a.rule(), a.priority().name(),
                    a.priority().severity(), Long.toString(a.count()), Boolean.toString(a.summary()),
                    Instant.ofEpochSecond(0, a.firstNanos()).toString(), Instant.ofEpochSecond(0, a.lastNanos()).toString(),
                    c.id(), c.name(), c.image(), c.runtime(), c.podName(), c.podNamespace(), a.event().type().cliName(),
                    Integer.toString(p.pid()), p.comm(), a.output(), String.join(",", a.tags()), a.source()));
        }

        @Override
        public Optional<String> header() {
            return Optional.of(Csv.record(COLUMNS));
        }
    };

    /** The CSV columns, in order (the header names them). */
    public static final List<String> COLUMNS = List.of("time", "rule", "priority", "severity", "count", "summary", "first",
            "last", "container_id", "container_name", "image", "runtime", "pod", "pod_namespace", "event_type", "pid",
            "comm", "output", "tags", "source");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final EventJson EVENTS = new EventJson();

    /** The alert alone, without a line end (CSV: a record may span lines when a field has a newline). */
    public abstract String format(Alert a);

    /** The alert as written to a stream or file: with its line end. */
    public String record(Alert a) {
        return format(a) + "\n";
    }

    /** What starts every file (and stdout) in this format, with its line end; empty when nothing does. */
    public Optional<String> header() {
        return Optional.empty();
    }

    /**
     * Control characters escaped: a file name or command line with a newline in it (chosen by
     * whoever made it) must not start a line of its own that reads like another alert.
     */
    static String oneLine(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != 0x7f) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            }
        }
        return out == null ? s : out.toString();
    }

    public static AlertFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            case "csv" -> CSV;
            default -> throw new IllegalArgumentException("'" + s + "' is not a format: use text, json or csv");
        };
    }
}
