package io.eunomia.enforcer.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeccompProfileWriterTest {
    /** Debian package golang-github-containers-common (scripts/setup.sh installs it for the tests). */
    static final Path CONTAINERS_COMMON = Path.of("/usr/share/containers/seccomp.json");

    static final String MIXED = """
            {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
             "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
                         {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []}],
             "syscalls": [
               {"names": ["write", "read"], "action": "SCMP_ACT_ALLOW"},
               {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
               {"names": ["close", "read"], "action": "SCMP_ACT_ALLOW"},
               {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
               {"names": ["mknodat"], "action": "SCMP_ACT_LOG"},
               {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]},
               {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
               {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}},
               {"names": ["chown", "fchownat"], "action": "SCMP_ACT_ALLOW", "comment": "needs CAP_CHOWN",
                "includes": {"caps": ["CAP_CHOWN"]}}
             ]}
            """;

    @Test
    void containersCommonRoundTripsToTheSameRules() throws Exception {
        assertThat(CONTAINERS_COMMON).as("install Debian package golang-github-containers-common").exists();
        SeccompProfile original = SeccompProfileReader.read(CONTAINERS_COMMON).profile();
        String written = SeccompProfileWriter.writeDocker(original);
        SeccompProfile reread = SeccompProfileReader.read(written, "written.json").profile();

        assertThat(SeccompProfileWriter.normalize(reread)).isEqualTo(SeccompProfileWriter.normalize(original));
        assertThat(SeccompProfileWriter.writeDocker(reread)).isEqualTo(written);
        // Nothing was lost: the same decision for every call, for a plain and a privileged container.
        for (Set<Capability> caps : java.util.List.of(Set.<Capability>of(), Set.of(Capability.values()))) {
            EffectiveProfile a = original.evaluate(Arch.X86_64, caps, new KernelVersion(6, 18));
            EffectiveProfile b = reread.evaluate(Arch.X86_64, caps, new KernelVersion(6, 18));
            a.outcomes().forEach((name, o) -> assertThat(b.outcome(name).describe()).as(name).isEqualTo(o.describe()));
        }
        assertThat(original.syscalls().stream().mapToInt(r -> r.names().size()).sum()).isGreaterThan(300);
        assertThat(original.hasConditionalRules()).isTrue();
    }

    @Test
    void dockerFormIsSortedGroupedAndWithoutRulesThatRepeatTheDefault() throws Exception {
        SeccompProfile p = SeccompProfileReader.read(MIXED, "mixed.json").profile();
        String json = SeccompProfileWriter.writeDocker(p);
        Golden.assertMatches("writer-docker.json", json);
        assertThat(json).doesNotContain("mkdir");
    }

    @Test
    void ociFormIsTheEvaluatedProfile() throws Exception {
        SeccompProfile p = SeccompProfileReader.read(MIXED, "mixed.json").profile();
        EffectiveProfile e = p.evaluate(Arch.X86_64, Set.of(), new KernelVersion(6, 18));
        String json = SeccompProfileWriter.writeOci(e.asProfile());
        Golden.assertMatches("writer-oci.json", json);
        assertThat(json).doesNotContain("chown").doesNotContain("includes").doesNotContain("archMap");
    }

    @Test
    void writtenFilesAreReadBackUnchanged(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        SeccompProfile p = SeccompProfileReader.read(MIXED, "mixed.json").profile();
        Path f = dir.resolve("p.json");
        Files.writeString(f, SeccompProfileWriter.writeDocker(p));
        assertThat(SeccompProfileWriter.normalize(SeccompProfileReader.read(f).profile()))
                .isEqualTo(SeccompProfileWriter.normalize(p));
    }
}
