package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No module reaches into another module's implementation: every mention of an
 * {@code io.eunomia....internal} package in a module's Java sources (main and test: imports,
 * qualified names, javadoc links) names an internal package of that same module. A source scan
 * rather than module-info.java files: Drools and the other libraries the engine runs on are not
 * modular (split packages, automatic modules), the tests run on the class path, and the shaded
 * jar merges every module into one, so the module system would guard nothing at run time; the
 * scan guards the build, with file:line of each violation. Runs in testkit, the first module of
 * the reactor, over every module the root pom lists.
 */
class ModuleBoundariesTest {
    private static final Pattern INTERNAL = Pattern.compile("\\bio\\.eunomia(?:\\.\\w+)*?\\.internal\\b");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final List<String> TREES = List.of("src/main/java", "src/test/java");

    @Test
    void noModuleUsesAnotherModulesInternalPackages() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Scan scan = scan(root);
        assertThat(scan.modules()).as("modules of %s", root.resolve("pom.xml")).contains("testkit", "bpf", "engine");
        assertThat(scan.files()).as("Java sources scanned").isGreaterThan(200);
        assertThat(scan.violations()).isEmpty();
    }

    @Test
    void aReferenceToAnotherModulesInternalsIsReportedWithItsLine(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("pom.xml"), "<modules><module>a</module><module>b</module></modules>");
        write(root, "a/src/main/java/io/eunomia/a/internal/Impl.java", "package io.eunomia.a.internal;\nclass Impl {}\n");
        write(root, "a/src/test/java/io/eunomia/a/ImplTest.java", "package io.eunomia.a;\nimport io.eunomia.a.internal.Impl;\n");
        write(root, "b/src/main/java/io/eunomia/b/User.java",
                "package io.eunomia.b;\n\nclass User {\n    Object x = io.eunomia.a.internal.Impl.class;\n}\n");
        assertThat(scan(root).violations()).containsExactly(
                "b/src/main/java/io/eunomia/b/User.java:4: io.eunomia.a.internal is module a's implementation: use a public API of a");
    }

    record Scan(Set<String> modules, int files, List<String> violations) {}

    /** Every module's sources against the internal packages of all modules. */
    static Scan scan(Path root) throws IOException {
        Map<String, Set<String>> packages = new LinkedHashMap<>();
        Matcher m = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        while (m.find()) {
            packages.put(m.group(1).strip(), packagesOf(root.resolve(m.group(1).strip())));
        }
        List<String> violations = new ArrayList<>();
        int files = 0;
        for (String module : packages.keySet()) {
            for (Path source : moduleSources(root.resolve(module))) {
                files++;
                List<String> lines = Files.readAllLines(source);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher ref = INTERNAL.matcher(lines.get(i));
                    while (ref.find()) {
                        String pkg = ref.group();
                        // A package no module has is no dependency (text, like this test's own examples).
                        Optional<String> owner = packages.entrySet().stream().filter(e -> owns(e.getValue(), pkg))
                                .map(Map.Entry::getKey).findFirst();
                        if (owner.isPresent() && !owns(packages.get(module), pkg)) {
                            violations.add(root.relativize(source) + ":" + (i + 1) + ": " + pkg + " is module " + owner.get()
                                    + "'s implementation: use a public API of " + owner.get());
                        }
                    }
                }
            }
        }
        return new Scan(packages.keySet(), files, violations);
    }

    private static boolean owns(Set<String> packages, String pkg) {
        return packages.stream().anyMatch(p -> p.equals(pkg) || p.startsWith(pkg + "."));
    }

    private static Set<String> packagesOf(Path module) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String tree : TREES) {
            Path dir = module.resolve(tree);
            for (Path source : sources(dir)) {
                Optional.ofNullable(dir.relativize(source).getParent())
                        .ifPresent(p -> out.add(p.toString().replace(source.getFileSystem().getSeparator(), ".")));
            }
        }
        return out;
    }

    /** What the module's developers wrote (not what the build generates under target/). */
    private static List<Path> moduleSources(Path module) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String tree : TREES) {
            out.addAll(sources(module.resolve(tree)));
        }
        return out;
    }

    private static List<Path> sources(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
