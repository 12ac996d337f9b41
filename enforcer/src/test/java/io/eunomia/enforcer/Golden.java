package io.eunomia.enforcer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files of the emitters, in src/test/resources/io/eunomia/enforcer/golden/. After a deliberate
 * change of an output, regenerate them with {@code -Deunomia.golden.update=true} and review the diff.
 */
public final class Golden {
    private static final Path SOURCE_DIR = Path.of("src/test/resources/io/eunomia/enforcer/golden");

    private Golden() {
    }

    public static void assertMatches(String name, String actual) {
        if (Boolean.getBoolean("eunomia.golden.update")) {
            try {
                Files.createDirectories(SOURCE_DIR);
                Files.writeString(SOURCE_DIR.resolve(name), actual);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        try (InputStream in = Golden.class.getResourceAsStream("golden/" + name)) {
            assertThat(in).as("golden file " + SOURCE_DIR.resolve(name) + " (create it with -Deunomia.golden.update=true)")
                    .isNotNull();
            assertThat(actual).as("output differs from " + SOURCE_DIR.resolve(name))
                    .isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
