package io.eunomia.profiler.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.eunomia.abi.Arch;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.ArgumentValues;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Executable;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.RuntimeInfo;
import io.eunomia.profiler.SyscallUse;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link Profile} → its file form. One tree, two spellings: YAML (block style, one list item per
 * line so that files diff well, strings that are not plain identifiers double-quoted with JSON
 * escapes, which YAML reads the same way) and JSON. Both are read back by {@link ProfileReader}.
 */
public final class ProfileWriter {
    /** The last line of a YAML profile: a file without it was cut short (see ProfileReader). */
    public static final String END_MARKER = "# end of eunomia profile";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> YAML_WORDS = Set.of("true", "false", "null", "yes", "no", "on", "off", "y", "n");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A number written in hex in YAML (masks, ioctl requests), a plain number in JSON. */
    private record Hex(long value) {}

    private ProfileWriter() {}

    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    public static String toYaml(Profile p) {
        StringBuilder out = new StringBuilder();
        out.append("# Learned by eunomia: what this container needed. Schema: policies/schema/profile-v1.schema.json\n");
        block(out, tree(p), 0);
        out.append(END_MARKER).append('\n');
        return out.toString();
    }

    public static String toJson(Profile p) {
        try {
            return JSON.writeValueAsString(jsonValue(tree(p))) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document as maps, lists and scalars, keys in file order. */
    static Map<String, Object> tree(Profile p) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", Profile.API_VERSION);
        doc.put("kind", Profile.KIND);
        doc.put("metadata", metadata(p.metadata()));
        Map<String, Object> arches = new LinkedHashMap<>();
        p.architectures().forEach((arch, a) -> arches.put(arch.id(), arch(a)));
        doc.put("architectures", arches);
        Map<String, Object> caps = new LinkedHashMap<>();
        caps.put("granted", p.capsGranted().values().stream().map(ProfileWriter::capability).toList());
        caps.put("denied", p.capsDenied().values().stream().map(ProfileWriter::capability).toList());
        doc.put("capabilities", caps);
        doc.put("executables", p.executables().values().stream().map(ProfileWriter::executable).toList());
        return doc;
    }

    private static Map<String, Object> metadata(ProfileMetadata m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.name());
        out.put("image", m.image());
        List<Object> runtimes = new ArrayList<>();
        for (RuntimeInfo r : m.runtimes()) {
            Map<String, Object> rt = new LinkedHashMap<>();
            rt.put("name", r.name());
            rt.put("version", r.version());
            rt.put("manager", r.manager());
            runtimes.add(rt);
        }
        out.put("runtimes", runtimes);
        out.put("container_ids", List.copyOf(m.containerIds()));
        out.put("user_ids", m.userIds().stream().map(u -> (Object) Integer.toUnsignedLong(u)).toList());
        if (m.noNewPrivs() != null) {
            out.put("no_new_privs", m.noNewPrivs());
        }
        out.put("learned_from", m.learnedFrom().toString());
        out.put("learned_until", m.learnedUntil().toString());
        out.put("warnings", List.copyOf(m.warnings()));
        return out;
    }

    private static Map<String, Object> arch(ArchProfile a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workload", a.workload().values().stream().map(ProfileWriter::syscall).toList());
        out.put("runtime", a.runtime().values().stream().map(ProfileWriter::syscall).toList());
        out.put("arguments", a.arguments().stream().map(ProfileWriter::argument).toList());
        return out;
    }

    private static Object syscall(SyscallUse s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.put("first_seen", s.firstSeen().toString());
        if (s.count() != null) {
            out.put("count", s.count());
        }
        return out;
    }

    private static Object argument(ArgumentValues a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("syscall", a.spec().syscall());
        out.put("index", a.spec().index());
        out.put("name", a.spec().name());
        out.put("mask", new Hex(a.spec().mask()));
        out.put("values", a.values().stream().map(v -> (Object) new Hex(v)).toList());
        out.put("overflow", a.overflow());
        out.put("first_seen", a.firstSeen().toString());
        return out;
    }

    private static Object capability(CapabilityUse c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", c.capability().capName());
        out.put("first_seen", c.firstSeen().toString());
        if (c.count() != null) {
            out.put("count", c.count());
        }
        if (!c.syscalls().isEmpty()) {
            Map<String, Object> calls = new LinkedHashMap<>();
            c.syscalls().forEach((arch, names) -> calls.put(arch.id(), List.copyOf(names)));
            out.put("syscalls", calls);
        }
        return out;
    }

    private static Object executable(Executable e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", e.path());
        if (!e.sha256().isEmpty()) {
            out.put("sha256", List.copyOf(e.sha256()));
        }
        out.put("count", e.count());
        out.put("first_seen", e.firstSeen().toString());
        return out;
    }

    // --- YAML ---------------------------------------------------------------------------------

    /** A block mapping: nested mappings indent, lists put one item per line. */
    private static void block(StringBuilder out, Map<String, Object> map, int indent) {
        String pad = " ".repeat(indent);
        for (var e : map.entrySet()) {
            out.append(pad).append(e.getKey()).append(':');
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m && !m.isEmpty()) {
                out.append('\n');
                block(out, cast(m), indent + 2);
            } else if (v instanceof List<?> l && !l.isEmpty() && (l.getFirst() instanceof Map || l.size() > 8)) {
                out.append('\n');
                for (Object item : l) {
                    out.append(pad).append("  - ");
                    flow(out, item);
                    out.append('\n');
                }
            } else {
                out.append(' ');
                flow(out, v);
                out.append('\n');
            }
        }
    }

    private static void flow(StringBuilder out, Object v) {
        switch (v) {
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    out.append(first ? "" : ", ").append(e.getKey()).append(": ");
                    flow(out, e.getValue());
                    first = false;
                }
                out.append('}');
            }
            case List<?> l -> {
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    out.append(i == 0 ? "" : ", ");
                    flow(out, l.get(i));
                }
                out.append(']');
            }
            case Hex h -> out.append(hex(h.value()));
            case String s -> out.append(scalar(s));
            default -> out.append(v);   // numbers, booleans
        }
    }

    /**
     * Identifiers plain; anything else double-quoted, ASCII only: everything outside printable
     * ASCII escaped (backslash-u and backslash-U escapes), so no byte of a path can break the file.
     */
    static String scalar(String s) {
        if (PLAIN.matcher(s).matches() && !YAML_WORDS.contains(s.toLowerCase(Locale.ROOT))) {
            return s;
        }
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                q.append('\\').appendCodePoint(c);
            } else if (c >= 0x20 && c < 0x7F) {
                q.appendCodePoint(c);
            } else if (c <= 0xFFFF) {
                q.append(String.format("\\u%04x", c));
            } else {
                q.append(String.format("\\U%08x", c));
            }
        });
        return q.append('"').toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static Object jsonValue(Object v) {
        return switch (v) {
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put((String) k, jsonValue(x)));
                yield out;
            }
            case List<?> l -> l.stream().map(ProfileWriter::jsonValue).toList();
            case Hex h -> h.value();
            default -> v;
        };
    }
}
