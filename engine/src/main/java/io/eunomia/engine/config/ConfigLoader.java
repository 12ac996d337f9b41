package io.eunomia.engine.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads and checks {@link EngineConfig}: unknown keys and bad values are errors with file:line:column. */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    private ConfigLoader() {}

    public static EngineConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the configuration file: " + e.getMessage());
        }
        if (text.isBlank()) {
            return EngineConfig.EMPTY;
        }
        EngineConfig c;
        try {
            c = YAML.readValue(text, EngineConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(whereKey(file, text, e.getPropertyName(), tokenLocation(e)) + "unknown key '" + e.getPropertyName() + "'"
                    + path(e) + "; expected one of: " + known);
        } catch (InvalidFormatException e) {
            throw new ConfigException(where(file, e.getLocation()) + "'" + e.getValue() + "' is not a valid "
                    + e.getTargetType().getSimpleName().toLowerCase(java.util.Locale.ROOT) + path(e));
        } catch (MismatchedInputException e) {
            throw new ConfigException(where(file, e.getLocation()) + "wrong kind of value" + path(e) + ": "
                    + e.getOriginalMessage().replaceAll(" \\(class [^)]*\\)", ""));
        } catch (JsonProcessingException e) {
            throw new ConfigException(where(file, e.getLocation()) + "not valid YAML: " + e.getOriginalMessage());
        }
        validate(file, c == null ? EngineConfig.EMPTY : c);
        return c == null ? EngineConfig.EMPTY : c;
    }

    private static void validate(Path file, EngineConfig c) throws ConfigException {
        if (c.outputs() != null && c.outputs().stdout() != null && c.outputs().stdout().format() != null
                && !c.outputs().stdout().format().matches("text|json")) {
            throw new ConfigException(file + ": outputs.stdout.format must be text or json, not '"
                    + c.outputs().stdout().format() + "'");
        }
        if (c.outputs() != null && c.outputs().alertmanager() != null && c.outputs().alertmanager().urls() != null) {
            for (String u : c.outputs().alertmanager().urls()) {
                URI uri;
                try {
                    uri = URI.create(u);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(file + ": outputs.alertmanager.urls: '" + u + "' is not a URL");
                }
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new ConfigException(file + ": outputs.alertmanager.urls: '" + u
                            + "' must be an http(s) URL such as http://127.0.0.1:9093");
                }
            }
        }
        if (c.metrics() != null && c.metrics().address() != null && !c.metrics().address().matches(".*:\\d{1,5}")) {
            throw new ConfigException(file + ": metrics.address must be HOST:PORT, not '" + c.metrics().address() + "'");
        }
        if (c.aggregateSeconds() != null && c.aggregateSeconds() < 0) {
            throw new ConfigException(file + ": aggregateSeconds must be 0 or more");
        }
    }

    /** Where the offending token starts (the exception's own location is after it). */
    private static JsonLocation tokenLocation(JsonProcessingException e) {
        if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p && p.currentTokenLocation() != null) {
            return p.currentTokenLocation();
        }
        return e.getLocation();
    }

    /**
     * Where a key is written. Records are built from buffered properties, so Jackson reports a
     * position after the key: find the key's own line in the text (first occurrence).
     */
    private static String whereKey(Path file, String text, String key, JsonLocation fallback) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^([ \\t-]*)" + java.util.regex.Pattern.quote(key) + "\\s*:").matcher(text);
        if (m.find()) {
            int line = 1 + (int) text.substring(0, m.start()).chars().filter(ch -> ch == '\n').count();
            return file + ":" + line + ":" + (m.end(1) - m.start() + 1) + ": ";
        }
        return where(file, fallback);
    }

    private static String where(Path file, JsonLocation loc) {
        return loc == null ? file + ": " : file + ":" + loc.getLineNr() + ":" + loc.getColumnNr() + ": ";
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        String p = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return p.isEmpty() ? "" : " (at " + p + ")";
    }
}
