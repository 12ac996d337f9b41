package io.eunomia.engine.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML document into records and reports every problem at file:line:column in the file's
 * own terms (key paths, "a list", "a number"), never in the parser's (no Java type names).
 */
public final class YamlReader {
    private YamlReader() {}

    /**
     * A document read, and where its parts are written (for checks made after reading).
     *
     * @param value null for an empty document
     */
    public record Document<T>(T value, Path file, YamlIndex index) {
        /** "file:line:column: key.path: problem" for a value found wrong after reading. */
        public YamlException problem(String dottedPath, String problem) {
            List<String> path = List.of(dottedPath.split("\\."));
            return new YamlException(where(file, index.value(path)) + YamlIndex.display(path) + ": " + problem);
        }
    }

    public static <T> Document<T> read(Path file, String text, ObjectMapper yaml, Class<T> type) throws YamlException {
        YamlIndex at;
        try {
            at = YamlIndex.of(yaml.getFactory(), text);
        } catch (JsonProcessingException e) {
            throw notYaml(file, e);
        } catch (IOException e) {
            throw new YamlException(file + ": " + e.getMessage());
        }
        try {
            return new Document<>(text.isBlank() ? null : yaml.readValue(text, type), file, at);
        } catch (UnrecognizedPropertyException e) {
            List<String> path = path(e);
            String known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            String in = path.size() > 1 ? " in " + YamlIndex.display(path.subList(0, path.size() - 1)) : "";
            throw new YamlException(where(file, at.key(path), e) + "unknown key '" + e.getPropertyName() + "'" + in
                    + "; expected one of: " + known);
        } catch (InvalidFormatException e) {
            List<String> path = path(e);
            throw new YamlException(where(file, at.value(path), e) + YamlIndex.display(path) + ": '" + e.getValue()
                    + "' is not " + kind(e.getTargetType()));
        } catch (MismatchedInputException e) {
            List<String> item = path(e);
            List<String> path = at.indexed(item);
            Class<?> expected = path.size() < item.size() ? List.class : e.getTargetType();
            String found = at.describe(path);
            throw new YamlException(where(file, at.value(path), e) + (path.isEmpty() ? "the document" : YamlIndex.display(path))
                    + ": expected " + kind(expected) + (found.isEmpty() ? "" : ", not " + found));
        } catch (JsonProcessingException e) {
            throw notYaml(file, e);
        }
    }

    /** The kind of value a key takes, as a person writing YAML would call it. */
    private static String kind(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list, e.g. [a, b] (or a single value)";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a single value";
        }
        if (type.isRecord() || Map.class.isAssignableFrom(type)) {
            return "a mapping of keys (key: value)";
        }
        return "a " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** The parser's problem where it found it ("expected ',' or ']'"), without its excerpt of the file. */
    private static YamlException notYaml(Path file, JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            String context = m.getContext() == null ? "" : " (" + m.getContext() + ")";
            return new YamlException(file + ":" + (m.getProblemMark().getLine() + 1) + ":" + (m.getProblemMark().getColumn() + 1)
                    + ": not valid YAML: " + m.getProblem() + context);
        }
        String m = e.getOriginalMessage();
        int excerpt = m.indexOf(" in 'reader'");
        m = (excerpt >= 0 ? m.substring(0, excerpt) : m).strip().replace('\n', ' ');
        return new YamlException(where(file, e.getLocation()) + "not valid YAML: " + m);
    }

    private static List<String> path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex())).toList();
    }

    /** Where the index says the key or value is; the parser's own location (just after it) when not indexed. */
    private static String where(Path file, JsonLocation indexed, JsonMappingException e) {
        return where(file, indexed != null ? indexed : e.getLocation());
    }

    private static String where(Path file, JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? file + ": " : file + ":" + loc.getLineNr() + ":" + loc.getColumnNr() + ": ";
    }
}
