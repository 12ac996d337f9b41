package io.eunomia.profiler.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eunomia.profiler.ProfileFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML (and therefore JSON) into {@link Node}s that keep their positions. Jackson's tree
 * model drops positions; its streaming parser has them.
 */
final class NodeReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final String file;
    private final JsonParser parser;

    private NodeReader(String file, JsonParser parser) {
        this.file = file;
        this.parser = parser;
    }

    /** The document's root, or null when the document is empty. */
    static Node read(String file, String text) throws ProfileFormatException {
        try (JsonParser p = FACTORY.createParser(text)) {
            NodeReader r = new NodeReader(file, p);
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            Node root = r.node(t);
            if (p.nextToken() != null) {
                throw r.error("a second document after the profile; expected one document");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            // SnakeYAML: "while parsing X\n in 'reader', line..\n  text\n  ^\nexpected Y, but found Z\n ..."
            String msg = String.join(": ", e.getOriginalMessage().lines()
                    .filter(ln -> !ln.isBlank() && !Character.isWhitespace(ln.charAt(0))).toList());
            throw new ProfileFormatException(file, l == null ? 1 : Math.max(1, l.getLineNr()),
                    l == null ? 1 : Math.max(1, l.getColumnNr()), "invalid YAML: " + (msg.isEmpty() ? "syntax error" : msg));
        } catch (IOException e) {
            throw new ProfileFormatException(file, 1, 1, "cannot read: " + e.getMessage());
        }
    }

    private ProfileFormatException error(String message) {
        JsonLocation l = parser.currentTokenLocation();
        return new ProfileFormatException(file, l.getLineNr(), l.getColumnNr(), message);
    }

    private Node node(JsonToken t) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = at.getLineNr();
        int col = at.getColumnNr();
        switch (t) {
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                for (JsonToken n = parser.nextToken(); n != JsonToken.END_ARRAY; n = parser.nextToken()) {
                    items.add(node(n));
                }
                return new Node.Seq(List.copyOf(items), line, col);
            }
            case START_OBJECT -> {
                Map<String, Node> entries = new LinkedHashMap<>();
                Map<String, Node.Scalar> keys = new LinkedHashMap<>();
                for (JsonToken n = parser.nextToken(); n != JsonToken.END_OBJECT; n = parser.nextToken()) {
                    String key = parser.currentName();
                    JsonLocation kl = parser.currentTokenLocation();
                    if (entries.containsKey(key)) {
                        throw error("'" + key + "' given twice; expected each key once");
                    }
                    Node.Scalar keyNode = new Node.Scalar(key, false, kl.getLineNr(), kl.getColumnNr());
                    entries.put(key, node(parser.nextToken()));
                    keys.put(key, keyNode);
                }
                return new Node.Mapping(entries, keys, line, col);
            }
            case VALUE_NULL -> {
                return new Node.Scalar("", true, line, col);
            }
            default -> {
                return new Node.Scalar(parser.getText(), false, line, col);
            }
        }
    }
}
