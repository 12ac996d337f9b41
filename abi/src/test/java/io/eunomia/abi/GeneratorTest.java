package io.eunomia.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed tables are exactly what the committed generator makes from the installed headers. */
class GeneratorTest {
    /** Surefire runs in the module directory. */
    static final Path SCRIPTS = Path.of("src/main/scripts");
    static final Path RESOURCES = Path.of("src/main/resources/io/eunomia/abi");

    @Test
    void generatorReproducesCommittedFiles(@TempDir Path out) throws IOException {
        Path python = Tools.require("python3", "apt-get install python3");
        Tools.require("cpp", "apt-get install cpp");
        Tools.run(List.of(python.toString(), SCRIPTS.resolve("gen-syscalls.py").toString(), "--out", out.toString()));

        List<String> generated;
        try (Stream<Path> files = Files.list(out)) {
            generated = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(generated).containsExactly("capabilities.tsv", "errno.tsv", "syscalls-aarch64.tsv", "syscalls-x86.tsv", "syscalls-x86_64.tsv");
        for (String name : generated) {
            assertThat(Files.readString(RESOURCES.resolve(name)))
                    .as("committed %s vs the generator's output (rerun %s)", name, SCRIPTS.resolve("gen-syscalls.py"))
                    .isEqualTo(Files.readString(out.resolve(name)));
        }
    }
}
