package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.ArgumentValues;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.RuntimeInfo;
import io.eunomia.profiler.SyscallUse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eunomia seccomp generate|check|diff} and {@code eunomia caps generate}, in-process through Main. */
class HardeningCommandsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Path CONTAINERS_COMMON = Path.of("/usr/share/containers/seccomp.json");

    static Path learned(Path dir) throws Exception {
        return learned(dir.resolve("app.yaml"), "mkdir");
    }

    /** The profile of container app, learned with {@code extra} besides a few common calls. */
    static Path learned(Path f, String extra) throws Exception {
        TreeMap<String, SyscallUse> calls = new TreeMap<>();
        for (String n : List.of("read", "write", "openat", "close", "execve", "exit_group", "socket", "connect", extra)) {
            calls.put(n, new SyscallUse(n, T0));
        }
        ArchProfile x64 = new ArchProfile(Arch.X86_64, calls, new TreeMap<>(), List.of(
                new ArgumentValues(ArgumentSpec.SOCKET_FAMILY, new TreeSet<>(Set.of(2L)), false, T0)));
        TreeMap<Capability, CapabilityUse> granted = new TreeMap<>();
        granted.put(Capability.CHOWN, new CapabilityUse(Capability.CHOWN, T0));
        TreeMap<Capability, CapabilityUse> denied = new TreeMap<>();
        denied.put(Capability.SYS_RESOURCE, new CapabilityUse(Capability.SYS_RESOURCE, T0));
        Profile p = new Profile(new ProfileMetadata("app", "registry.example/app:1",
                new TreeSet<>(Set.of(new RuntimeInfo("runc", "1.1.5", "docker"))), List.of("c1"), new TreeSet<>(Set.of(0)),
                false, T0, T0, List.of()), new TreeMap<>(Map.of(Arch.X86_64, x64)), granted, denied, new TreeMap<>());
        ProfileFiles.write(f, p);
        return f;
    }

    @Test
    void kubeletWritesOneMergedLocalhostFilePerProfileIntoTheNodeRoot(@TempDir Path dir) throws Exception {
        Path nodeA = learned(Files.createDirectories(dir.resolve("node-a")).resolve("app.yaml"), "mkdir");
        Path nodeB = learned(Files.createDirectories(dir.resolve("node-b")).resolve("app.yaml"), "rmdir");
        Path root = Files.createDirectories(dir.resolve("root"));
        io.eunomia.engine.Cli.Run r = io.eunomia.engine.Cli.run("seccomp", "kubelet", "--root", root.toString(),
                nodeA.getParent().toString(), nodeB.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        Path file = root.resolve("var/lib/kubelet/seccomp/profiles/app.json");
        assertThat(r.err()).contains("wrote " + file + " from 2 profile(s) of app");
        assertThat(r.out()).isEqualTo("# app: " + nodeA + ", " + nodeB + "\n"
                + "securityContext:\n  seccompProfile:\n    type: Localhost\n    localhostProfile: profiles/app.json\n");
        String json = Files.readString(file);
        assertThat(json).as("the union of both nodes").contains("\"mkdir\"", "\"rmdir\"", "\"defaultAction\": \"SCMP_ACT_ERRNO\"");
        try (var left = Files.list(file.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).as("no temp file stays").containsExactly("app.json");
        }
        // A valid moby profile for seccomp check.
        io.eunomia.engine.Cli.Run check = io.eunomia.engine.Cli.run("seccomp", "check", file.toString());
        assertThat(check.exit()).as(check.out() + check.err()).isZero();

        io.eunomia.engine.Cli.Run noRoot = io.eunomia.engine.Cli.run("seccomp", "kubelet", "--root", dir.resolve("nope").toString(),
                nodeA.toString());
        assertThat(noRoot.exit()).isEqualTo(2);
        assertThat(noRoot.err()).contains("is not a directory");
    }

    @Test
    void generateWritesTheProfileAndSummarises(@TempDir Path dir) throws Exception {
        Path profile = learned(dir);
        Path out = dir.resolve("app.json");
        io.eunomia.engine.Cli.Run r = io.eunomia.engine.Cli.run("seccomp", "generate", profile.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(Files.readString(out)).contains("\"defaultAction\": \"SCMP_ACT_ERRNO\"", "\"mkdir\"", "\"clone3\"");
        assertThat(r.err()).containsPattern("x86_64: \\d+ syscalls allowed \\(\\d+ learned \\+ \\d+ for runc's set-up\\); "
                        + "Docker's default allows 292: \\d+% fewer")
                .contains("capabilities: 1 kept (CHOWN) vs Docker's default 14: 13 of those dropped",
                        "tried and refused while learning (not kept): SYS_RESOURCE",
                        "arguments: socket: family AF_INET (2)",
                        "baseline: runc without no_new_privileges");

        io.eunomia.engine.Cli.Run k8s = io.eunomia.engine.Cli.run("seccomp", "generate", "--format", "k8s", profile.toString());
        assertThat(k8s.out()).startsWith("apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\n")
                .contains("  name: app\nspec:\n", "#     localhostProfile: operator/app.json");
        io.eunomia.engine.Cli.Run namespaced = io.eunomia.engine.Cli.run("seccomp", "generate", "--format", "k8s", "--namespace",
                "shop", profile.toString());
        assertThat(namespaced.exit()).isEqualTo(2);
        assertThat(namespaced.err()).contains("SeccompProfile objects are cluster-scoped");

        io.eunomia.engine.Cli.Run caps = io.eunomia.engine.Cli.run("caps", "generate", "--format", "compose", profile.toString());
        assertThat(caps.exit()).isZero();
        assertThat(caps.out()).isEqualTo("cap_drop:\n  - ALL\ncap_add:\n  - CHOWN\n"
                + "# tried and refused while learning, so not needed: SYS_RESOURCE\n");
        assertThat(io.eunomia.engine.Cli.run("caps", "generate", profile.toString()).out())
                .isEqualTo("--cap-drop=ALL --cap-add=CAP_CHOWN\n");
    }

    @Test
    void brokenInputsAreLocatedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), Files.readString(learned(dir))
                .replace("name: mkdir", "name: mkdri"));
        Path out = dir.resolve("never.json");
        io.eunomia.engine.Cli.Run r = io.eunomia.engine.Cli.run("seccomp", "generate", broken.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith(broken + ":").contains("mkdri");
        assertThat(out).doesNotExist();

        Path bad = Files.writeString(dir.resolve("bad.json"), """
                {"defaultAction": "SCMP_ACT_ERRNO",
                 "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]}
                """);
        io.eunomia.engine.Cli.Run check = io.eunomia.engine.Cli.run("seccomp", "check", bad.toString(), CONTAINERS_COMMON.toString());
        assertThat(check.exit()).isEqualTo(1);
        assertThat(check.err()).contains(bad + ":2:16: a rule has both \"name\" and \"names\"");
        assertThat(check.out()).contains(CONTAINERS_COMMON + ": OK (docker profile");
        assertThat(check.err()).doesNotContain("Exception");

        io.eunomia.engine.Cli.Run verify = io.eunomia.engine.Cli.run("seccomp", "verify", "--profile", bad.toString(),
                "--rootfs", dir.toString(), "--", "true");
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.err()).contains("a rule has both");
        io.eunomia.engine.Cli.Run usage = io.eunomia.engine.Cli.run("seccomp", "verify", "--profile", CONTAINERS_COMMON.toString(),
                "--", "true");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).isEqualTo("eunomia: give one of --image IMAGE or --rootfs DIR\n");
    }

    @Test
    void diffShowsWhatTheLearnedProfileRemoves(@TempDir Path dir) throws Exception {
        Path generated = dir.resolve("app.json");
        assertThat(io.eunomia.engine.Cli.run("seccomp", "generate", learned(dir).toString(), "-o", generated.toString()).exit())
                .isZero();
        io.eunomia.engine.Cli.Run d = io.eunomia.engine.Cli.run("seccomp", "diff", generated.toString(), CONTAINERS_COMMON.toString());
        assertThat(d.exit()).isEqualTo(1);
        assertThat(d.out()).contains("default: A ERRNO(EPERM), B ERRNO(ENOSYS)")
                .containsPattern("A refuses, B lets run \\(A removes\\): \\d{3}\n  ")
                .contains("A lets run, B refuses (A adds): 0\n")
                .contains("  socket\n    A: ALLOW if arg0 == 2, else ERRNO(EPERM)\n");
        io.eunomia.engine.Cli.Run json = io.eunomia.engine.Cli.run("seccomp", "diff", "--format", "json", generated.toString(),
                CONTAINERS_COMMON.toString());
        assertThat(json.out()).contains("\"removedByA\" : [", "\"accept\"");
    }
}
