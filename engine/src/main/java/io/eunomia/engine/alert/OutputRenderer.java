package io.eunomia.engine.alert;

import io.eunomia.event.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders Falco-style output templates: {@code %proc.name} (or {@code %{proc.name}} when text
 * follows directly) is replaced by the field's value, {@code <NA>} when the event has none, and
 * {@code %%} is a literal percent sign. Values are as people read them (a file mode in octal,
 * {@link io.eunomia.rules.FieldCatalog#shown}). Templates are parsed once per rule, not per alert.
 */
public final class OutputRenderer {
    /** The field lookup alerts use. INTERIM: becomes {@code io.eunomia.rules.FieldCatalog::value}. */
    public static final FieldResolver DEFAULT_FIELDS = catalogFields();

    private static FieldResolver catalogFields() {
        io.eunomia.rules.FieldCatalog catalog = io.eunomia.rules.FieldCatalog.standard();
        return (field, event) -> catalog.shown(field, event).orElse(null);
    }

    private final FieldResolver fields;

    public OutputRenderer(FieldResolver fields) {
        this.fields = fields;
    }

    public OutputRenderer() {
        this(DEFAULT_FIELDS);
    }

    /** A parsed template: literal text and field references, alternating. */
    public Template parse(String template) {
        List<Object> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '%' || i + 1 >= template.length()) {
                lit.append(c);
                i++;
                continue;
            }
            char next = template.charAt(i + 1);
            if (next == '%') {
                lit.append('%');
                i += 2;
                continue;
            }
            int start;
            int end;
            int resume;
            if (next == '{') {
                start = i + 2;
                end = template.indexOf('}', start);
                if (end < 0) {
                    lit.append(c);
                    i++;
                    continue;
                }
                resume = end + 1;
            } else {
                start = i + 1;
                end = start;
                while (end < template.length() && isFieldChar(template.charAt(end))) {
                    end++;
                }
                // "%proc.name." ends a sentence: the trailing dot is not part of the field.
                while (end > start && template.charAt(end - 1) == '.') {
                    end--;
                }
                resume = end;
            }
            if (end == start) {
                lit.append(c);
                i++;
                continue;
            }
            if (!lit.isEmpty()) {
                parts.add(lit.toString());
                lit.setLength(0);
            }
            parts.add(new Field(template.substring(start, end)));
            i = resume;
        }
        if (!lit.isEmpty()) {
            parts.add(lit.toString());
        }
        return new Template(List.copyOf(parts), fields);
    }

    private static boolean isFieldChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '[' || c == ']';
    }

    private record Field(String name) {}

    /** A template ready to render against events. */
    public record Template(List<Object> parts, FieldResolver fields) {
        public String render(Event e) {
            StringBuilder out = new StringBuilder(64);
            for (Object p : parts) {
                if (p instanceof Field f) {
                    out.append(valueOf(f.name(), e));
                } else {
                    out.append((String) p);
                }
            }
            return out.toString();
        }

        /** One field's value as the template shows it: "<NA>" when the event has none. */
        public String valueOf(String field, Event e) {
            Object v = fields.value(field, e);
            return v == null || (v instanceof String s && s.isEmpty()) ? "<NA>" : String.valueOf(v);
        }

        /** The fields the template shows, in order (a field shown twice is listed twice). */
        public List<String> fieldNames() {
            return parts.stream().filter(p -> p instanceof Field).map(p -> ((Field) p).name()).toList();
        }
    }
}
