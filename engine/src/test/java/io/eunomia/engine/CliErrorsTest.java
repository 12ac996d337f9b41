package io.eunomia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected failures: one clear line naming what is missing and what to do, exit code != 0, no stack trace. */
class CliErrorsTest {

    record Result(int exit, String stdout, String stderr) {}

    static Result run(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void notRootSaysSo(@TempDir Path tmp) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        String cp = EunomiaProcess.worldReadableClasspath(tmp);
        ProcessBuilder pb = EunomiaProcess.builder(
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), Map.of(), cp,
                "trace", "--type", "exec");
        pb.directory(tmp.toFile());
        Result r = run(pb);
        assertThat(r.exit()).isEqualTo(Main.EXIT_ENVIRONMENT);
        assertThat(r.stderr()).contains("must run as root").contains("sudo").doesNotContain("\tat ");
    }

    @Test
    void missingLibbpfSaysWhatToInstall() throws Exception {
        // A private mount namespace in which the system's libbpf.so.1 is an empty file.
        Path libbpf = Path.of("/usr/lib/x86_64-linux-gnu/libbpf.so.1").toRealPath();
        Result r = run(EunomiaProcess.builder(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                        "mount --bind /dev/null \"$1\" && shift && exec \"$@\"", "sh", libbpf.toString()),
                Map.of(), System.getProperty("java.class.path"), "trace"));
        assertThat(r.exit()).isEqualTo(Main.EXIT_ENVIRONMENT);
        assertThat(r.stderr()).contains("libbpf").contains("apt-get install libbpf1").doesNotContain("\tat ");
    }

    @Test
    void unknownEventTypeIsAUsageError() throws Exception {
        Result r = run(EunomiaProcess.builder("trace", "--type", "exec,bogus"));
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("unknown event type 'bogus'").doesNotContain("\tat ");
    }
}
