package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Capability;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.testkit.BusyboxRootfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardener through its commands, as a user runs it: {@code eunomia learn} a busybox workload in
 * runc, {@code eunomia seccomp generate} its profile, {@code eunomia seccomp verify} it in runc:
 * the workload passes, the same workload plus a mknod is refused.
 */
class LearnGenerateVerifyTest {
    static final String WORKLOAD = "mkdir -p /tmp/w && echo hi > /tmp/w/f && cat /tmp/w/f && rm -r /tmp/w; echo done";

    @Test
    void learnGenerateVerify(@TempDir Path dir) throws Exception {
        Path rootfs = dir.resolve("rootfs");
        BusyboxRootfs.get().copyTo(rootfs);
        Path learned = dir.resolve("bb.yaml");
        io.eunomia.engine.Cli.Run learn = io.eunomia.engine.Cli.run("learn", "--runtime", "runc", "--rootfs", rootfs.toString(),
                "--name", "bb", "--out", learned.toString(), "--format", "json", "--", "sh", "-c", WORKLOAD);
        assertThat(learn.exit()).as(learn.err()).isZero();
        Profile p = ProfileFiles.read(learned);
        String caps = p.capsGranted().values().stream().map(CapabilityUse::capability).map(Capability::capName)
                .collect(Collectors.joining(","));

        // learn ran runc with its spec template, which sets no_new_privileges: generate and verify for
        // that setting explicitly. Left to "as learned", a run where the learner did not read the
        // workload's NoNewPrivs got the larger baseline and one where it did the smaller, while verify
        // ran without no_new_privileges: runc's set-up (chdir, capget) was then refused, now and then.
        Path profile = dir.resolve("bb.json");
        io.eunomia.engine.Cli.Run gen = io.eunomia.engine.Cli.run("seccomp", "generate", learned.toString(), "--runtime", "runc",
                "--no-new-privileges", "-o", profile.toString());
        assertThat(gen.exit()).as(gen.err()).isZero();
        assertThat(gen.err()).contains("syscalls allowed", "baseline: runc");

        io.eunomia.engine.Cli.Run ok = io.eunomia.engine.Cli.run("seccomp", "verify", "--profile", profile.toString(), "--caps",
                caps.isEmpty() ? "none" : caps, "--rootfs", rootfs.toString(), "--runtime", "runc", "--no-new-privileges", "--", "sh", "-c",
                WORKLOAD);
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("denied: none", "seccomp filter on", "verdict: nothing denied");

        io.eunomia.engine.Cli.Run refused = io.eunomia.engine.Cli.run("seccomp", "verify", "--format", "json", "--profile",
                profile.toString(), "--caps", caps.isEmpty() ? "none" : caps, "--rootfs", rootfs.toString(), "--runtime",
                "runc", "--no-new-privileges", "--", "sh", "-c", WORKLOAD + "; mknod /tmp/p p");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).containsPattern("\"syscall\": \"mknod(at)?\",\\s*\"arch\": \"x86_64\",\\s*\"errno\": \"EPERM\"");
        assertThat(Files.exists(rootfs.resolve("tmp/p"))).isFalse();
    }
}
