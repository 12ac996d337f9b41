package io.eunomia.engine.yaml;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each key and value of a YAML document is written, by key path ("outputs", "stdout",
 * "format"; list items by index "0"), so that an error found after parsing (a bad value, a value
 * of the wrong kind) still points at its line and column.
 */
public final class YamlIndex {
    static final String KEY = "key";
    static final String VALUE = "value";

    private record Entry(JsonLocation location, JsonToken token, String text) {}

    private final Map<List<String>, JsonLocation> keys = new HashMap<>();
    private final Map<List<String>, Entry> values = new HashMap<>();

    private YamlIndex() {}

    /** @throws com.fasterxml.jackson.core.JsonProcessingException when the text is not YAML */
    static YamlIndex of(JsonFactory yaml, String text) throws IOException {
        YamlIndex index = new YamlIndex();
        // One frame per open mapping or list: the key being read, or the index of the next item.
        Deque<Object[]> frames = new ArrayDeque<>();
        List<String> path = new java.util.ArrayList<>();
        try (JsonParser p = yaml.createParser(text)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME) {
                    path.set(path.size() - 1, p.currentName());
                    index.keys.putIfAbsent(List.copyOf(path), p.currentTokenLocation());
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    frames.pop();
                    path.removeLast();
                    continue;
                }
                Object[] frame = frames.peek();
                if (frame != null && frame[0] instanceof Integer i) {
                    path.set(path.size() - 1, Integer.toString(i));
                    frame[0] = i + 1;
                }
                index.values.putIfAbsent(List.copyOf(path), new Entry(p.currentTokenLocation(), t, t.isScalarValue() ? p.getText() : null));
                if (t == JsonToken.START_OBJECT) {
                    frames.push(new Object[] {""});
                    path.add("");
                } else if (t == JsonToken.START_ARRAY) {
                    frames.push(new Object[] {0});
                    path.add("");
                }
            }
        }
        return index;
    }

    /** Where the key at this path is written; null when it is not in the text. */
    JsonLocation key(List<String> path) {
        return keys.get(path);
    }

    /** Where the value at this path starts (for a missing value: its key); null when neither is there. */
    JsonLocation value(List<String> path) {
        Entry e = values.get(path);
        return e != null ? e.location() : keys.get(path);
    }

    /**
     * The path itself when the text has a value there, else its parent when the path ends in a
     * list index (a single value read as a one-item list: the problem is the value, not an item).
     */
    List<String> indexed(List<String> path) {
        if (!values.containsKey(path) && !path.isEmpty() && path.getLast().chars().allMatch(Character::isDigit)) {
            return path.subList(0, path.size() - 1);
        }
        return path;
    }

    /** What the text holds at this path, for "expected X, not Y"; empty when unknown. */
    String describe(List<String> path) {
        Entry e = values.get(path);
        if (e == null) {
            return "";
        }
        return switch (e.token()) {
            case START_OBJECT -> "a mapping";
            case START_ARRAY -> "a list";
            case VALUE_NULL -> "nothing";
            default -> "'" + e.text() + "'";
        };
    }

    /** A key path as the user would write it: outputs.alertmanager.urls[0]. */
    static String display(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String part : path) {
            if (part.chars().allMatch(Character::isDigit) && !part.isEmpty()) {
                sb.append('[').append(part).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(part);
            }
        }
        return sb.toString();
    }
}
