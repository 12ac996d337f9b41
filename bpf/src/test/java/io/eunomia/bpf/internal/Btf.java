package io.eunomia.bpf.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The BTF of a compiled BPF object, as `bpftool -j btf dump file` gives it: named structs and
 * enums, and the functions (programs and the subprograms that are not inlined).
 */
record Btf(String object, Map<Long, JsonNode> byId, Map<String, JsonNode> structs, Map<String, JsonNode> enums,
           Set<String> functions) {
    private static final Set<String> QUALIFIERS = Set.of("TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG");

    /** A member of a struct: its byte offset and its type with typedefs and qualifiers removed. */
    record Member(long offset, JsonNode type) {}

    static Btf of(Path object) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "-j", "btf", "dump", "file", object.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("bpftool btf dump of " + object + " failed (exit " + p.exitValue()
                    + "); bpftool is what the build uses too: apt-get install bpftool");
        }
        Map<Long, JsonNode> byId = new HashMap<>();
        Map<String, JsonNode> structs = new LinkedHashMap<>();
        Map<String, JsonNode> enums = new LinkedHashMap<>();
        Set<String> functions = new TreeSet<>();
        for (JsonNode t : new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8)).path("types")) {
            byId.put(t.path("id").asLong(), t);
            String name = t.path("name").asText();
            switch (t.path("kind").asText()) {
                case "STRUCT" -> structs.put(name, t);
                case "ENUM" -> enums.put(name, t);
                case "FUNC" -> functions.add(name);
                default -> { }
            }
        }
        return new Btf(object.getFileName().toString(), byId, structs, enums, functions);
    }

    Optional<Member> member(String struct, String name) {
        for (JsonNode m : structs.get(struct).path("members")) {
            if (m.path("name").asText().equals(name)) {
                long bits = m.path("bits_offset").asLong();
                if (bits % 8 != 0) {
                    throw new IllegalStateException(struct + "." + name + " is a bit field");
                }
                return Optional.of(new Member(bits / 8, resolve(m.path("type_id").asLong())));
            }
        }
        return Optional.empty();
    }

    /** The type behind typedefs and qualifiers. */
    JsonNode resolve(long id) {
        JsonNode t = byId.get(id);
        while (QUALIFIERS.contains(t.path("kind").asText())) {
            t = byId.get(t.path("type_id").asLong());
        }
        return t;
    }

    /** An enum's values by name. */
    Map<String, Long> values(String enumName) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode v : enums.get(enumName).path("values")) {
            out.put(v.path("name").asText(), v.path("val").asLong());
        }
        return out;
    }

    /** "INT of 2 bytes", "ARRAY of 16 x INT of 1 bytes": how a type reads in a message. */
    String describe(JsonNode t) {
        return switch (t.path("kind").asText()) {
            case "ARRAY" -> "ARRAY of " + t.path("nr_elems").asLong() + " x " + describe(resolve(t.path("type_id").asLong()));
            case "INT", "ENUM", "STRUCT", "UNION" -> t.path("kind").asText() + " of " + t.path("size").asLong() + " bytes";
            default -> t.path("kind").asText();
        };
    }
}
