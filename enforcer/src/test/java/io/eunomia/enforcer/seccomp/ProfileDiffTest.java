package io.eunomia.enforcer.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Errno;
import io.eunomia.enforcer.HandMadeProfiles;
import io.eunomia.enforcer.caps.DockerDefaults;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProfileDiffTest {
    @Test
    void aGeneratedProfileAgainstContainersCommon() throws Exception {
        SeccompProfile learned = SeccompGenerator.generate(List.of(HandMadeProfiles.web()), new SeccompGenerator.Options(
                List.of(), Optional.empty(), Optional.empty(), Errno.EPERM, false, ProfileForm.DOCKER)).profile();
        SeccompProfile common = SeccompProfileReader.read(SeccompProfileWriterTest.CONTAINERS_COMMON).profile();
        ProfileDiff d = ProfileDiff.of(learned, common, Arch.X86_64, DockerDefaults.CAPABILITIES, new KernelVersion(6, 18));
        assertThat(d.removes()).contains("accept", "sendto", "mknodat", "chmod", "mount").doesNotContain("read", "socket");
        assertThat(d.adds()).isEmpty();
        assertThat(d.differs()).extracting(ProfileDiff.Change::syscall).contains("socket", "clone");
        assertThat(d.firstAllowed()).isLessThan(60);
        assertThat(d.secondAllowed()).isGreaterThan(250);
        assertThat(d.secondDefault()).isEqualTo(Decision.errno(Errno.ENOSYS));
        assertThat(d.same()).isFalse();
        assertThat(ProfileDiff.of(common, common, Arch.X86_64, DockerDefaults.CAPABILITIES, new KernelVersion(6, 18)).same())
                .isTrue();
    }
}
