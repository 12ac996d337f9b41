package io.eunomia.profiler.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executable of a process already gone is hashed from its root, never from outside it. */
class ExecutableHashTest {
    @TempDir Path tmp;

    @Test
    void aRegularFileInTheRootIsHashed() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root/usr/bin")).getParent().getParent();
        byte[] program = "#!/bin/sh\necho hi\n".getBytes();
        Files.write(root.resolve("usr/bin/app"), program);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(program));
        assertThat(ExecutableHash.inRoot(root, "/usr/bin/app")).contains(expected);
    }

    @Test
    void linksOutOfTheRootFifosAndMissingFilesHashNothing() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root/bin")).getParent();
        Path host = Files.writeString(tmp.resolve("host-program"), "host");
        Files.createSymbolicLink(root.resolve("bin/abs"), host);
        Files.createSymbolicLink(root.resolve("bin/up"), Path.of("../".repeat(10) + host.toString().substring(1)));
        new ProcessBuilder("mkfifo", root.resolve("bin/fifo").toString()).inheritIO().start().waitFor();
        assertThat(ExecutableHash.inRoot(root, "/bin/abs")).isEmpty();
        assertThat(ExecutableHash.inRoot(root, "/bin/up")).isEmpty();
        assertThat(ExecutableHash.inRoot(root, "/bin/none")).isEmpty();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThat(ExecutableHash.inRoot(root, "/bin/fifo")).isEmpty());
    }
}
