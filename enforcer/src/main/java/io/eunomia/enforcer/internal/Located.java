package io.eunomia.enforcer.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON or YAML document as a tree whose every value and key remembers its line and column, so a
 * checker can point at the exact place of a problem. Duplicate keys are reported, not merged.
 */
public sealed interface Located {
    int line();

    int column();

    /** "object", "array", "string", "number", "boolean", "null": for messages. */
    String kind();

    record Obj(Map<String, Field> fields, int line, int column) implements Located {
        public Obj {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        public Field field(String name) {
            return fields.get(name);
        }

        @Override
        public String kind() {
            return "object";
        }
    }

    /** A key (with its own position) and its value. */
    record Field(String name, int line, int column, Located value) {}

    record Arr(List<Located> items, int line, int column) implements Located {
        public Arr {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "array";
        }
    }

    record Str(String value, int line, int column) implements Located {
        @Override
        public String kind() {
            return "string";
        }
    }

    /** An integer; fractions are rejected by the parser (nothing in a seccomp profile has one). */
    record Num(BigInteger value, int line, int column) implements Located {
        @Override
        public String kind() {
            return "number";
        }
    }

    record Bool(boolean value, int line, int column) implements Located {
        @Override
        public String kind() {
            return "boolean";
        }
    }

    record Null(int line, int column) implements Located {
        @Override
        public String kind() {
            return "null";
        }
    }

    /** A problem found while reading: where, and what. */
    record Problem(int line, int column, String message) {}

    /** The document could not be parsed at all (broken syntax, truncated file). */
    final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Problem problem;

        SyntaxException(Problem problem) {
            super(problem.message());
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    /** Parses JSON text (a YAML parser when {@code yaml}); duplicate keys go to {@code problems}. */
    static Located parse(String text, boolean yaml, List<Problem> problems) throws SyntaxException {
        JsonFactory factory = yaml ? new YAMLFactory() : new JsonFactory();
        try (JsonParser p = factory.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new SyntaxException(new Problem(1, 1, "the file is empty: expected a JSON object"));
            }
            Located root = read(p, problems);
            JsonToken after = p.nextToken();
            if (after != null) {
                JsonLocation l = p.currentTokenLocation();
                throw new SyntaxException(new Problem(l.getLineNr(), l.getColumnNr(),
                        "unexpected content after the end of the document"));
            }
            return root;
        } catch (JsonParseException e) {
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage();
            throw new SyntaxException(new Problem(l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "not valid " + (yaml ? "YAML" : "JSON") + ": " + firstLine(msg)));
        } catch (IOException e) {
            throw new SyntaxException(new Problem(0, 0, "cannot parse: " + e.getMessage()));
        }
    }

    private static Located read(JsonParser p, List<Problem> problems) throws IOException, SyntaxException {
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int col = at.getColumnNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Field> fields = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    JsonLocation kl = p.currentTokenLocation();
                    String name = p.currentName();
                    p.nextToken();
                    Located v = read(p, problems);
                    Field f = new Field(name, kl.getLineNr(), kl.getColumnNr(), v);
                    Field earlier = fields.putIfAbsent(name, f);
                    if (earlier != null) {
                        problems.add(new Problem(f.line(), f.column(), "duplicate key \"" + name
                                + "\" (first at line " + earlier.line() + "): keep one"));
                    }
                }
                return new Obj(fields, line, col);
            }
            case START_ARRAY -> {
                List<Located> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p, problems));
                }
                return new Arr(items, line, col);
            }
            case VALUE_STRING -> {
                return new Str(p.getText(), line, col);
            }
            case VALUE_NUMBER_INT -> {
                return new Num(p.getBigIntegerValue(), line, col);
            }
            case VALUE_NUMBER_FLOAT -> throw new SyntaxException(new Problem(line, col,
                    "a fractional number (" + p.getText() + ") where only whole numbers are allowed"));
            case VALUE_TRUE, VALUE_FALSE -> {
                return new Bool(t == JsonToken.VALUE_TRUE, line, col);
            }
            case VALUE_NULL -> {
                return new Null(line, col);
            }
            default -> throw new SyntaxException(new Problem(line, col, "unexpected " + t));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
