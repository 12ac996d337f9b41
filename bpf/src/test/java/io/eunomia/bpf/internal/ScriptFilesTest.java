package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.RootSwapProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The script an interpreter is given, looked at in the root of a task of the test's making (its own
 * mount namespace, chroot): a symlink in that root that names a host path (absolute, or by ".."
 * past the root) names the task's own files, where there is no such script.
 */
class ScriptFilesTest {
    @Test
    void symlinksInTheTasksRootNeverNameTheHostsFiles() throws Exception {
        Path host = Cleanup.newTempDir("sfhost");
        Path root = Cleanup.newTempDir("sfroot");
        try {
            Files.writeString(host.resolve("script"), "echo host\n");
            Files.createDirectories(root.resolve("bin"));
            Files.writeString(root.resolve("bin/s"), "echo task\n");
            Files.createDirectories(root.resolve("d"));  // rootswap's swap needs it; this test holds still
            Files.createSymbolicLink(root.resolve("abs"), host);
            Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../../.." + host));
            Files.createSymbolicLink(root.resolve("bin/link"), Path.of("s"));
            try (RootSwapProbe task = RootSwapProbe.start(root, false)) {
                int pid = task.pid();
                assertThat(ScriptFiles.isProgramFile(pid, "/bin/s")).isTrue();
                assertThat(ScriptFiles.isProgramFile(pid, "/bin/link")).isTrue();
                assertThat(ScriptFiles.isProgramFile(pid, "/bin")).as("a directory").isFalse();
                assertThat(ScriptFiles.isProgramFile(pid, "/abs/script")).as("absolute symlink to a host directory").isFalse();
                assertThat(ScriptFiles.isProgramFile(pid, "/up/script")).as("'..' past the task's root").isFalse();
                assertThat(ScriptFiles.isProgramFile(pid, host + "/script")).as("the host's path itself").isFalse();
            }
        } finally {
            Cleanup.unmountAndDelete(root);
            Cleanup.unmountAndDelete(host);
        }
    }
}
