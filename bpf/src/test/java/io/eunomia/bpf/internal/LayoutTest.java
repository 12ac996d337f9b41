package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.eunomia.event.NetOp;
import io.eunomia.event.StreamKind;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The records crossing from the kernel, checked against the BPF objects the build just compiled:
 * every struct and member the Java side declares ({@link Layout}) has the offset and width it has
 * in the objects' BTF, every record of events.h has a Java layout, and the code enums of events.h
 * (record types, stream kinds, net ops, file ops, path kinds) decode to the same names in Java.
 * Messages name the Java constant and the C member, so a reordered events.h says what to change.
 */
class LayoutTest {
    private static final Path EVENTS_H = Path.of("src/main/bpf/events.h");
    /** Structs of events.h that the Java side must mirror: the records and what user space writes to every sensor. */
    private static final Pattern MIRRORED = Pattern.compile("event_header|\\w+_event|sensor_settings");
    /** Objects that send no records: the 32-bit and io_uring dispatchers only tail-call the sensors' programs. */
    private static final java.util.Set<String> RECORDLESS = java.util.Set.of("compat32.bpf.o", "uring_dispatch.bpf.o");

    private static List<Btf> objects;
    private static Map<String, Layout.Struct> javaStructs;
    private static Map<String, Layout.Member> javaMembers;

    @BeforeAll
    static void load() throws Exception {
        Path dir = classesDir("/io/eunomia/bpf/process.bpf.o");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> paths = files.filter(p -> p.getFileName().toString().endsWith(".bpf.o"))
                    .filter(p -> !RECORDLESS.contains(p.getFileName().toString())).sorted().toList();
            objects = new ArrayList<>();
            for (Path p : paths) {
                objects.add(Btf.of(p));
            }
        }
        assertThat(objects).as("BPF objects in %s", dir).isNotEmpty();
        javaStructs = new LinkedHashMap<>();
        javaMembers = new LinkedHashMap<>();
        for (Class<?> c : internalClasses()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                String label = c.getSimpleName() + "." + f.getName();
                if (Layout.Struct.class.isAssignableFrom(f.getType())) {
                    f.setAccessible(true);
                    javaStructs.put(label, (Layout.Struct) f.get(null));
                } else if (Layout.Member.class.isAssignableFrom(f.getType())) {
                    f.setAccessible(true);
                    javaMembers.put(label, (Layout.Member) f.get(null));
                }
            }
        }
    }

    @Test
    void everyRecordOfEventsHIsInEveryObjectsBtfAndHasAJavaLayout() throws IOException {
        TreeSet<String> declared = new TreeSet<>();
        javaStructs.values().forEach(s -> declared.add(s.name()));
        List<String> problems = new ArrayList<>();
        for (String struct : structsOfEventsH()) {
            for (Btf btf : objects) {
                if (!btf.structs().containsKey(struct)) {
                    problems.add("struct " + struct + " is not in the BTF of " + btf.object()
                            + ": add a member of its type to union scratch in common.bpf.h");
                }
            }
            if (!declared.contains(struct)) {
                problems.add("struct " + struct + " has no Java layout: declare a Layout.Struct for it, and its members, where it is decoded");
            }
        }
        assertThat(problems).as("records of events.h").isEmpty();
    }

    @Test
    void javaStructSizesAreTheCSizes() {
        Problems problems = new Problems();
        javaStructs.forEach((label, s) -> {
            boolean found = false;
            for (Btf btf : objects) {
                JsonNode c = btf.structs().get(s.name());
                if (c != null) {
                    found = true;
                    if (c.path("size").asLong() != s.size()) {
                        problems.add(label + ": sizeof(struct " + s.name() + ") is " + c.path("size").asLong() + ", Java says "
                                + s.size(), btf);
                    }
                }
            }
            if (!found) {
                problems.add(label + ": no object's BTF has struct " + s.name(), null);
            }
        });
        assertThat(problems.list()).isEmpty();
    }

    @Test
    void everyJavaMemberHasTheOffsetAndWidthOfItsCMember() {
        assertThat(javaMembers).as("members declared by the decoders").hasSizeGreaterThan(50);
        Problems problems = new Problems();
        javaMembers.forEach((label, m) -> {
            for (Btf btf : objects) {
                if (btf.structs().containsKey(m.struct().name())) {
                    check(label, m, btf).ifPresent(p -> problems.add(p, btf));
                }
            }
        });
        assertThat(problems.list()).isEmpty();
    }

    private static Optional<String> check(String label, Layout.Member m, Btf btf) {
        String c = label + ": struct " + m.struct().name() + "." + m.name();
        Optional<Btf.Member> found = btf.member(m.struct().name(), m.name());
        if (found.isEmpty()) {
            return Optional.of(c + " does not exist");
        }
        Btf.Member cm = found.get();
        if (cm.offset() != m.offset()) {
            return Optional.of(c + " is at offset " + cm.offset() + ", Java reads offset " + m.offset());
        }
        JsonNode element = cm.type();
        if (m.count() > 1) {
            if (!kind(element).equals("ARRAY") || element.path("nr_elems").asLong() != m.count()) {
                return Optional.of(c + " is " + btf.describe(cm.type()) + ", Java reads " + m.count() + " elements");
            }
            element = btf.resolve(element.path("type_id").asLong());
        }
        boolean widthOk = m instanceof Layout.Chars
                ? kind(element).equals("ARRAY") && element.path("nr_elems").asLong() == m.size()
                        && btf.resolve(element.path("type_id").asLong()).path("size").asLong() == 1
                : (kind(element).equals("INT") || kind(element).equals("ENUM")) && element.path("size").asLong() == m.size();
        if (!widthOk) {
            return Optional.of(c + " is " + btf.describe(cm.type()) + ", Java reads "
                    + (m.count() > 1 ? m.count() + " x " : "") + m.getClass().getSimpleName() + " of " + m.size() + " bytes");
        }
        return Optional.empty();
    }

    /** Mismatches, each once with the objects it was found in (they share events.h, so usually all). */
    private static final class Problems {
        private final Map<String, List<String>> where = new LinkedHashMap<>();

        void add(String problem, Btf btf) {
            List<String> objs = where.computeIfAbsent(problem, k -> new ArrayList<>());
            if (btf != null) {
                objs.add(btf.object());
            }
        }

        List<String> list() {
            List<String> out = new ArrayList<>();
            where.forEach((p, objs) -> out.add(p + (objs.isEmpty() ? "" : objs.size() == objects.size() ? " (every object)"
                    : " (" + String.join(", ", objs) + ")")));
            return out;
        }
    }

    private static String kind(JsonNode type) {
        return type.path("kind").asText();
    }

    @Test
    void recordTypesAreEnumEventTypeBothWays() {
        Map<String, Long> java = new LinkedHashMap<>();
        for (RecordType t : RecordType.values()) {
            java.put("EVT_" + t.name(), (long) t.code());
        }
        for (Btf btf : objects) {
            assertThat(java).as("RecordType (actual) against enum event_type of events.h in %s (expected)", btf.object())
                    .isEqualTo(btf.values("event_type"));
        }
    }

    @Test
    void codeEnumsDecodeToTheirCNames() {
        for (Btf btf : objects) {
            assertDecodes(btf, "stream_kind", "STREAM_", StreamKind::ofCode, StreamKind.values());
            assertDecodes(btf, "net_op", "NET_", NetOp::ofCode, NetOp.values());
            assertDecodes(btf, "file_op", "FOP_", FileRecords::op, io.eunomia.event.FileOp.values());
            assertThat(btf.values("file_path_kind")).containsEntry("FILE_PATH_CANONICAL", (long) FileRecords.PATH_CANONICAL);
        }
    }

    /** Every C value decodes to the Java constant of its name, and every Java constant has a C value. */
    private static void assertDecodes(Btf btf, String cEnum, String prefix, IntFunction<Enum<?>> decode, Enum<?>[] all) {
        Map<String, Long> c = btf.values(cEnum);
        c.forEach((name, value) -> assertThat(decode.apply(value.intValue()).name())
                .as("enum %s: %s = %d in %s", cEnum, name, value, btf.object()).isEqualTo(name.substring(prefix.length())));
        assertThat(c.keySet()).as("enum %s in %s", cEnum, btf.object())
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(all).map(e -> prefix + e.name()).toList());
    }

    @Test
    void typeCodesHaveOneJavaSource() throws Exception {
        List<String> copies = new ArrayList<>();
        for (Class<?> c : internalClasses()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && f.getName().startsWith("TYPE_")) {
                    copies.add(c.getSimpleName() + "." + f.getName());
                }
            }
        }
        assertThat(copies).as("record type codes outside RecordType").isEmpty();
    }

    /** The structs of events.h the Java side mirrors, by a look at its text. */
    private static List<String> structsOfEventsH() throws IOException {
        Matcher m = Pattern.compile("(?m)^struct (\\w+) \\{").matcher(Files.readString(EVENTS_H));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            if (MIRRORED.matcher(m.group(1)).matches()) {
                out.add(m.group(1));
            }
        }
        assertThat(out).as("record structs found in %s", EVENTS_H).contains("event_header", "exec_event");
        return out;
    }

    private static List<Class<?>> internalClasses() throws Exception {
        Path dir = classesDir("/io/eunomia/bpf/internal/Layout.class");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String simple = p.getFileName().toString().replace(".class", "");
                out.add(Class.forName(Layout.class.getPackageName() + "." + simple, true, LayoutTest.class.getClassLoader()));
            }
        }
        return out;
    }

    private static Path classesDir(String resource) throws URISyntaxException {
        var url = LayoutTest.class.getResource(resource);
        assertThat(url).as("%s on the class path (built by the bpf module)", resource).isNotNull();
        return Path.of(url.toURI()).getParent();
    }
}
