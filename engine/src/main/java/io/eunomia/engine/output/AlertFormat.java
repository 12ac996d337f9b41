package io.eunomia.engine.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.alert.Alert;
import io.eunomia.event.format.EventJson;
import java.time.Instant;
import java.util.Locale;

/** How alerts are written: one line of text for people, or one JSON object per line. */
public enum AlertFormat {
    TEXT {
        @Override
        public String format(Alert a) {
            String text = Instant.ofEpochSecond(0, a.epochNanos()) + " " + a.priority() + " " + a.rule() + ": " + a.output();
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
    };

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final EventJson EVENTS = new EventJson();

    public abstract String format(Alert a);

    public static AlertFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("format must be text or json, not '" + s + "'");
        };
    }
}
