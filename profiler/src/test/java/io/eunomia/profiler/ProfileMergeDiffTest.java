package io.eunomia.profiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ProfileMergeDiffTest {
    static final Instant T = Instant.parse("2026-11-02T10:00:00Z");

    static Profile profile(String name, Arch arch, List<String> calls, Set<Capability> caps, List<String> exes) {
        ProfileMetadata m = new ProfileMetadata(name, "img:1", new TreeSet<>(), List.of(name + "-id"), new TreeSet<>(),
                true, T, T, List.of());
        TreeMap<String, SyscallUse> w = new TreeMap<>();
        calls.forEach(c -> w.put(c, new SyscallUse(c, T)));
        TreeMap<Capability, CapabilityUse> g = new TreeMap<>();
        caps.forEach(c -> g.put(c, new CapabilityUse(c, T)));
        TreeMap<String, Executable> e = new TreeMap<>();
        exes.forEach(x -> e.put(x, new Executable(x, new TreeSet<>(), 1, T)));
        return new Profile(m, new TreeMap<>(Map.of(arch, new ArchProfile(arch, w, new TreeMap<>(), List.of()))), g,
                new TreeMap<>(), e);
    }

    @Test
    void mergeIsTheUnion() {
        Profile a = profile("web-1", Arch.X86_64, List.of("read", "write"), Set.of(Capability.CHOWN), List.of("/bin/sh"));
        Profile b = profile("web-2", Arch.X86_64, List.of("read", "mkdir"), Set.of(Capability.KILL), List.of("/bin/ls"));
        Profile m = ProfileMerge.merge(List.of(a, b), false);
        assertThat(m.metadata().name()).isEqualTo("web-1");
        assertThat(m.metadata().containerIds()).containsExactly("web-1-id", "web-2-id");
        assertThat(m.arch(Arch.X86_64).workload()).containsOnlyKeys("read", "write", "mkdir");
        assertThat(m.capsGranted()).containsOnlyKeys(Capability.CHOWN, Capability.KILL);
        assertThat(m.executables()).containsOnlyKeys("/bin/sh", "/bin/ls");
    }

    @Test
    void mergeRefusesOtherArchitecturesUnlessAsked() {
        Profile a = profile("a", Arch.X86_64, List.of("read"), Set.of(), List.of());
        Profile b = profile("b", Arch.AARCH64, List.of("read"), Set.of(), List.of());
        assertThatThrownBy(() -> ProfileMerge.merge(List.of(a, b), false))
                .isInstanceOf(ProfileMerge.ArchitectureMismatchException.class)
                .hasMessageContaining("aarch64").hasMessageContaining("x86_64");
        assertThat(ProfileMerge.merge(List.of(a, b), true).arches()).containsExactly(Arch.X86_64, Arch.AARCH64);
        // ia32 calls of an x86_64 host are not another architecture
        Profile c = profile("c", Arch.X86, List.of("getpid"), Set.of(), List.of());
        assertThat(ProfileMerge.merge(List.of(a, c), false).arches()).containsExactly(Arch.X86_64, Arch.X86);
    }

    @Test
    void diffListsExactlyWhatChanged() {
        Profile a = profile("web", Arch.X86_64, List.of("read", "write"), Set.of(Capability.CHOWN), List.of("/bin/sh"));
        Profile b = profile("web", Arch.X86_64, List.of("read", "write", "mkdir"), Set.of(Capability.CHOWN), List.of("/bin/sh"));
        ProfileDiff d = ProfileDiff.between(a, b);
        assertThat(d.workload()).containsOnlyKeys(Arch.X86_64);
        assertThat(d.workload().get(Arch.X86_64).added()).containsExactly("mkdir");
        assertThat(d.workload().get(Arch.X86_64).removed()).isEmpty();
        assertThat(d.granted().isEmpty()).isTrue();
        assertThat(d.executables().isEmpty()).isTrue();
        ProfileDiff back = ProfileDiff.between(b, a);
        assertThat(back.workload().get(Arch.X86_64).removed()).containsExactly("mkdir");
        assertThat(ProfileDiff.between(a, a).isEmpty()).isTrue();
    }
}
