package io.eunomia.event.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.event.Event;
import io.eunomia.event.ProcessInfo;
import java.time.Instant;
import java.util.Map;

/**
 * One line per event for people: time, type, who, then the event's own fields as key=value
 * (empty and "not applicable" values left out). Field names are the record components, so the
 * text and JSON forms name things alike.
 */
public final class EventText {
    private final EventJson json;

    public EventText(EventJson json) {
        this.json = json;
    }

    public String format(Event e) {
        ProcessInfo p = e.process();
        StringBuilder sb = new StringBuilder(160);
        sb.append(Instant.ofEpochSecond(0, e.epochNanos())).append(' ');
        sb.append(String.format("%-7s", e.type().cliName()));
        sb.append(" pid=").append(p.pid());
        if (p.tid() != p.pid()) {
            sb.append(" tid=").append(p.tid());
        }
        sb.append(" ppid=").append(p.ppid()).append(" uid=").append(p.uid());
        if (p.euid() != p.uid()) {
            sb.append(" euid=").append(p.euid());
        }
        sb.append(" comm=").append(quote(p.comm()));
        if (!p.pcomm().isEmpty()) {
            sb.append(" pcomm=").append(quote(p.pcomm()));
        }
        if (!p.container().isHost()) {
            sb.append(" container=").append(quote(p.container().isResolved() ? p.container().name() : "?"));
            if (!p.container().image().isEmpty()) {
                sb.append(" image=").append(quote(p.container().image()));
            }
        }
        sb.append(" mntns=").append(p.mntns());
        ObjectNode fields = json.tree(e);
        fields.remove("epochNanos");
        fields.remove("process");
        appendFields(sb, "", fields);
        return sb.toString();
    }

    private static void appendFields(StringBuilder sb, String prefix, ObjectNode fields) {
        for (Map.Entry<String, JsonNode> f : fields.properties()) {
            JsonNode v = f.getValue();
            String key = prefix + f.getKey();
            if (v.isObject()) {
                appendFields(sb, "", (ObjectNode) v);
            } else if (v.isArray()) {
                StringBuilder joined = new StringBuilder();
                for (JsonNode item : v) {
                    if (!joined.isEmpty()) {
                        joined.append(' ');
                    }
                    joined.append(item.asText());
                }
                sb.append(' ').append(key).append('=').append(quote(joined.toString()));
            } else if (!v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
                sb.append(' ').append(key).append('=').append(v.isTextual() ? quote(v.asText()) : v.asText());
            }
        }
    }

    /** Quotes values with spaces or quotes so a line stays splittable. */
    static String quote(String s) {
        if (!s.isEmpty() && s.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return s;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
