package io.eunomia.rules.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a YAML document into {@link YamlNode}s that remember their file positions. */
public final class YamlReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final String file;
    private final String[] lines;
    private final JsonParser parser;

    private YamlReader(String file, String text) throws IOException {
        this.file = file;
        this.lines = text.split("\r?\n", -1);
        this.parser = FACTORY.createParser(text);
    }

    /** The document's root, or null for an empty document. */
    public static YamlNode read(String file, String text) throws YamlSyntaxException {
        try {
            YamlReader r = new YamlReader(file, text);
            JsonToken t = r.parser.nextToken();
            return t == null ? null : r.node(t);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
            throw new YamlSyntaxException(new Loc(file, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr()),
                    "invalid YAML: " + msg);
        } catch (IOException e) {
            throw new YamlSyntaxException(Loc.unknown(file), "cannot read YAML: " + e.getMessage());
        }
    }

    private Loc here() {
        JsonLocation l = parser.currentTokenLocation();
        return new Loc(file, l.getLineNr(), l.getColumnNr());
    }

    private YamlNode node(JsonToken t) throws IOException {
        Loc loc = here();
        switch (t) {
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                for (JsonToken n = parser.nextToken(); n != JsonToken.END_ARRAY; n = parser.nextToken()) {
                    items.add(node(n));
                }
                return new YamlNode.Seq(List.copyOf(items), loc);
            }
            case START_OBJECT -> {
                Map<String, YamlNode> entries = new LinkedHashMap<>();
                Map<String, Loc> keys = new LinkedHashMap<>();
                for (JsonToken n = parser.nextToken(); n != JsonToken.END_OBJECT; n = parser.nextToken()) {
                    String key = parser.currentName();
                    Loc keyLoc = here();
                    YamlNode value = node(parser.nextToken());
                    entries.put(key, value);
                    keys.put(key, keyLoc);
                }
                return new YamlNode.Mapping(entries, keys, loc);
            }
            case VALUE_NULL -> {
                return new YamlNode.Scalar("", loc, ScalarPositions.at(loc), true);
            }
            default -> {
                String text = parser.getText();
                return new YamlNode.Scalar(text, loc, ScalarPositions.align(lines, loc, text), false);
            }
        }
    }

    /** The file is not valid YAML. */
    public static final class YamlSyntaxException extends Exception {
        private final Loc loc;

        public YamlSyntaxException(Loc loc, String message) {
            super(message);
            this.loc = loc;
        }

        public Loc loc() {
            return loc;
        }
    }
}
