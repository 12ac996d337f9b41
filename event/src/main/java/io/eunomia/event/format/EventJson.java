package io.eunomia.event.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.event.CapEvent;
import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.NetEvent;
import io.eunomia.event.SyscallEvent;
import io.eunomia.event.ViolationEvent;
import java.util.Map;

/**
 * Events as JSON lines: {"type":"exec", ...record components...}. What {@code eunomia trace
 * --format json} writes and what a replay reads back, so recorded events can be fed to rules.
 */
public final class EventJson {
    private static final Map<EventType, Class<? extends Event>> CLASSES = Map.of(
            EventType.EXEC, ExecEvent.class,
            EventType.EXIT, ExitEvent.class,
            EventType.FORK, ForkEvent.class,
            EventType.FILE, FileEvent.class,
            EventType.NET, NetEvent.class,
            EventType.CAP, CapEvent.class,
            EventType.SYSCALL, SyscallEvent.class,
            EventType.VIOLATION, ViolationEvent.class);

    /** Record components only: derived accessors such as isHost() are not part of the format. */
    private final ObjectMapper mapper = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .disable(com.fasterxml.jackson.databind.MapperFeature.AUTO_DETECT_IS_GETTERS)
            .build();

    /** One line of JSON, without a line break. */
    public String write(Event event) {
        ObjectNode node = mapper.createObjectNode();
        node.put("type", event.type().cliName());
        node.setAll((ObjectNode) mapper.valueToTree(event));
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + event, e);
        }
    }

    /** The record components of an event as a tree (for text output and field lookups). */
    public ObjectNode tree(Event event) {
        return mapper.valueToTree(event);
    }

    /**
     * Parses one line written by {@link #write}.
     *
     * @throws IllegalArgumentException with what is wrong when the line is not such an event
     */
    public Event read(String line) {
        JsonNode node;
        try {
            node = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with a \"type\" field");
        }
        String typeName = node.path("type").asText("");
        EventType type = EventType.parse(typeName).orElseThrow(() -> new IllegalArgumentException(
                "unknown event type \"" + typeName + "\"; expected one of exec, exit, fork, file, net, cap, syscall, violation"));
        ObjectNode fields = ((ObjectNode) node).deepCopy();
        fields.remove("type");
        // Lines recorded before pcomm existed: the parent's name is not known (not null).
        if (fields.get("process") instanceof ObjectNode process && !process.hasNonNull("pcomm")) {
            process.put("pcomm", "");
        }
        // Violations recorded before late ones existed were caught at the act.
        if (type == EventType.VIOLATION && !fields.has("lateMillis")) {
            fields.put("lateMillis", -1);
        }
        try {
            return mapper.treeToValue(fields, CLASSES.get(type));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad " + typeName + " event: " + e.getOriginalMessage());
        }
    }
}
