package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.engine.EunomiaProcess;
import io.eunomia.engine.Main;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.SyscallUse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes with profiles and enforcement options: exit code 2 and one line saying what is wrong,
 * before anything is loaded into the kernel.
 */
class EnforceCommandErrorsTest {
    @TempDir
    static Path dir;
    private static Path good;

    @BeforeAll
    static void profiles() throws Exception {
        good = dir.resolve("web.yaml");
        ProfileFiles.write(good, profile("web", Arch.current()));
    }

    private static Profile profile(String name, Arch arch) {
        Instant now = Instant.now();
        TreeMap<String, SyscallUse> calls = new TreeMap<>();
        calls.put("read", new SyscallUse("read", now));
        TreeMap<Arch, ArchProfile> arches = new TreeMap<>();
        arches.put(arch, new ArchProfile(arch, calls, new TreeMap<>(), List.of()));
        return new Profile(new ProfileMetadata(name, "", new TreeSet<>(), List.of(), new TreeSet<>(), null, now, now, List.of()),
                arches, new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }

    private record Result(int exit, String stderr) {}

    private static Result run(String... args) throws Exception {
        Process p = EunomiaProcess.builder(args).start();
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(err).doesNotContain("\tat ").doesNotContain("monitoring with");
        return new Result(p.exitValue(), err);
    }

    @Test
    void aBrokenProfileFileIsNamedWithLineAndColumn() throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "apiVersion: eunomia.io/v1\nkind: LearnedProfile\nmetadata:\n  name: [web\n");
        Result r = run("enforce", "--mode", "monitor", "--profile", broken.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).containsPattern("eunomia: " + java.util.regex.Pattern.quote(broken.toString()) + ":\\d+:\\d+: ");
        Result missing = run("enforce", "--mode", "monitor", "--profile", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(missing.stderr()).contains("nope.yaml: no such profile file");
    }

    @Test
    void enforceNeedsAMode() throws Exception {
        Result r = run("enforce", "--profile", good.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("--mode monitor|enforce is required");
    }

    @Test
    void killAndUpdateGoWithTheirMode() throws Exception {
        Result kill = run("enforce", "--mode", "monitor", "--kill", "syscall", "--profile", good.toString());
        assertThat(kill.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(kill.stderr()).contains("--kill needs --mode enforce");
        Result update = run("enforce", "--mode", "enforce", "--update", "--profile", good.toString());
        assertThat(update.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(update.stderr()).contains("--update accepts violations into profiles in monitor mode only");
        Result kind = run("enforce", "--mode", "enforce", "--kill", "syscall,files", "--profile", good.toString());
        assertThat(kind.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(kind.stderr()).contains("--kill takes syscall, exec and cap, not 'files'");
        Result mode = run("enforce", "--mode", "deny", "--profile", good.toString());
        assertThat(mode.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(mode.stderr()).contains("--mode must be monitor or enforce, not 'deny'");
    }

    @Test
    void aProfileAppliesToAContainerOrAnImage() throws Exception {
        Result r = run("enforce", "--mode", "monitor", "--profile", good.toString(), "--container", "web", "--image", "nginx");
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("--container and --image exclude each other");
    }

    @Test
    void aProfileOfAnotherArchitectureIsRefused() throws Exception {
        Arch other = Arch.current() == Arch.AARCH64 ? Arch.X86_64 : Arch.AARCH64;
        Path foreign = dir.resolve("foreign.yaml");
        ProfileFiles.write(foreign, profile("arm", other));
        Result r = run("enforce", "--mode", "monitor", "--profile", foreign.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("profile arm was learned on " + other.id() + "; this host is " + Arch.current().id());
    }

    @Test
    void monitorEnforcementOptionsNeedProfiles() throws Exception {
        Result r = run("monitor", "--mode", "enforce");
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("need profiles (--profiles DIR)");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Result none = run("monitor", "--profiles", empty.toString());
        assertThat(none.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(none.stderr()).contains("no profile files");
        Path twice = Files.createDirectories(dir.resolve("twice"));
        ProfileFiles.write(twice.resolve("a.yaml"), profile("web", Arch.current()));
        ProfileFiles.write(twice.resolve("b.yaml"), profile("web", Arch.current()));
        Result dup = run("monitor", "--profiles", twice.toString());
        assertThat(dup.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(dup.stderr()).contains("b.yaml: a second profile named web");
    }
}
