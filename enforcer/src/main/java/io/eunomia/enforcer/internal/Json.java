package io.eunomia.enforcer.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Collection;

/**
 * Deterministic JSON output: two-space indentation, one array element per line (profiles are
 * diffed and reviewed line by line), "\n" line ends whatever the platform, key order as built.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DefaultPrettyPrinter PRETTY;

    static {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter pp = new Printer(new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));
        pp.indentObjectsWith(indenter);
        pp.indentArraysWith(indenter);
        PRETTY = pp;
    }

    /** Jackson's printer, but "[]" and "{}" for empty containers (it writes "[ ]"). */
    private static final class Printer extends DefaultPrettyPrinter {
        private static final long serialVersionUID = 1L;

        Printer(DefaultPrettyPrinter base) {
            super(base);
        }

        @Override
        public Printer createInstance() {
            return new Printer(this);
        }

        @Override
        public void writeEndArray(com.fasterxml.jackson.core.JsonGenerator g, int nrOfValues) throws java.io.IOException {
            if (nrOfValues == 0) {
                if (!_arrayIndenter.isInline()) {
                    --_nesting;
                }
                g.writeRaw(']');
                return;
            }
            super.writeEndArray(g, nrOfValues);
        }

        @Override
        public void writeEndObject(com.fasterxml.jackson.core.JsonGenerator g, int nrOfEntries) throws java.io.IOException {
            if (nrOfEntries == 0) {
                if (!_objectIndenter.isInline()) {
                    --_nesting;
                }
                g.writeRaw('}');
                return;
            }
            super.writeEndObject(g, nrOfEntries);
        }
    }

    private Json() {
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode strings(Collection<String> values) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        values.forEach(a::add);
        return a;
    }

    /** An unsigned 64-bit value as a JSON number (values above Long.MAX_VALUE stay positive). */
    public static JsonNode unsigned(long value) {
        return value >= 0 ? JsonNodeFactory.instance.numberNode(value)
                : JsonNodeFactory.instance.numberNode(new BigInteger(Long.toUnsignedString(value)));
    }

    /** Pretty text with a final newline. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writer(PRETTY).writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
