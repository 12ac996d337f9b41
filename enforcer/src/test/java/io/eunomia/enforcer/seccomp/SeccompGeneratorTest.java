package io.eunomia.enforcer.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Errno;
import io.eunomia.enforcer.Golden;
import io.eunomia.enforcer.HandMadeProfiles;
import io.eunomia.profiler.Profile;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeccompGeneratorTest {
    private static SeccompGenerator.Result generate(Profile p, SeccompGenerator.Options o) throws Exception {
        return SeccompGenerator.generate(List.of(p), o);
    }

    private static SeccompGenerator.Options options(ProfileForm form) {
        return new SeccompGenerator.Options(List.of(), Optional.empty(), Optional.empty(), Errno.EPERM, false, form);
    }

    @Test
    void dockerProfileAllowsTheWorkloadAndTheBaselineWithArgumentRules() throws Exception {
        SeccompGenerator.Result r = generate(HandMadeProfiles.web(), options(ProfileForm.DOCKER));
        Golden.assertMatches("generate-docker.json", SeccompProfileWriter.writeDocker(r.profile()));
        assertThat(r.ociRuntime()).isEqualTo("runc");
        assertThat(r.noNewPrivileges()).isFalse();
        // runc's set-up without no_new_privs, which the workload did not make itself
        assertThat(r.baselineAdded().get(Arch.X86_64)).contains("capget", "capset", "setgroups", "fcntl", "getdents64")
                .doesNotContain("read", "write");
        EffectiveProfile e = r.profile().evaluate(Arch.X86_64, Set.of(), KernelVersion.running());
        assertThat(e.outcome("socket").describe()).isEqualTo("ALLOW if arg0 == 2 and arg1 & 0xf == 0x1 | "
                + "ALLOW if arg0 == 2 and arg1 & 0xf == 0x2 | ALLOW if arg0 == 10 and arg1 & 0xf == 0x1 | "
                + "ALLOW if arg0 == 10 and arg1 & 0xf == 0x2, else ERRNO(EPERM)");
        assertThat(e.outcome("socket").decide(new long[] {2, 1 | 0x80000, 0})).isEqualTo(Decision.ALLOW); // SOCK_CLOEXEC
        assertThat(e.outcome("socket").decide(new long[] {17, 2, 0})).isEqualTo(Decision.errno(Errno.EPERM)); // AF_PACKET
        assertThat(e.outcome("clone").decide(new long[] {0x01200011L})).isEqualTo(Decision.ALLOW);      // fork
        assertThat(e.outcome("clone").decide(new long[] {0x20000000L | 0x11})).isEqualTo(Decision.errno(1)); // CLONE_NEWPID
        assertThat(e.outcome("clone3").always()).isEqualTo(Decision.errno(Errno.ENOSYS));
        assertThat(e.outcome("ioctl").alwaysRuns()).isTrue();         // more values than learning keeps
        assertThat(e.outcome("prctl").alwaysRuns()).isTrue();         // runc's set-up makes prctl calls too
        assertThat(e.outcome("mount").mayRun()).isFalse();            // the runtime's own, before the filter
        assertThat(r.arguments()).extracting(SeccompGenerator.ArgumentCoverage::syscall, SeccompGenerator.ArgumentCoverage::restricted)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("socket", true),
                        org.assertj.core.groups.Tuple.tuple("clone", true),
                        org.assertj.core.groups.Tuple.tuple("prctl", false),
                        org.assertj.core.groups.Tuple.tuple("ioctl", false));
        assertThat(r.arguments().get(0).detail()).isEqualTo("family AF_INET (2), AF_INET6 (10); type SOCK_STREAM (1), SOCK_DGRAM (2)");
        assertThat(r.arguments().get(3).detail()).isEqualTo("not restricted: request any (more than 16 values on x86_64)");
    }

    @Test
    void withNoNewPrivilegesTheSmallerBaselineLetsPrctlBeRestricted() throws Exception {
        SeccompGenerator.Result r = generate(HandMadeProfiles.web(), new SeccompGenerator.Options(List.of(),
                Optional.of("docker"), Optional.of(true), Errno.EPERM, false, ProfileForm.DOCKER));
        EffectiveProfile e = r.profile().evaluate(Arch.X86_64, Set.of(), KernelVersion.running());
        assertThat(e.outcome("prctl").describe()).isEqualTo("ALLOW if arg0 & 0xffffffff == 0xf, else ERRNO(EPERM)");
        assertThat(r.baselineAdded().get(Arch.X86_64)).doesNotContain("capset");
    }

    @Test
    void ociAndKubernetesForms() throws Exception {
        SeccompGenerator.Result oci = generate(HandMadeProfiles.web(), options(ProfileForm.OCI));
        Golden.assertMatches("generate-oci.json", SeccompProfileWriter.writeOci(oci.profile()));
        SeccompGenerator.Result k8s = generate(HandMadeProfiles.web(), options(ProfileForm.KUBERNETES));
        String yaml = KubernetesProfileWriter.write(k8s.profile(), "Web_1");
        Golden.assertMatches("generate-k8s.yaml", yaml);
        // What we write, we read: the Kubernetes object is the same profile again (its default errno is
        // the runtime's EPERM: the object has no field for it).
        EffectiveProfile written = SeccompProfileReader.read(yaml, "k8s.yaml").profile()
                .evaluate(Arch.X86_64, Set.of(), KernelVersion.running());
        EffectiveProfile generated = k8s.profile().evaluate(Arch.X86_64, Set.of(), KernelVersion.running());
        generated.outcomes().forEach((name, o) -> assertThat(written.outcome(name).describe()).as(name)
                .isEqualTo(o.describe()));
        SeccompGenerator.Result enosys = generate(HandMadeProfiles.web(), new SeccompGenerator.Options(List.of(),
                Optional.empty(), Optional.empty(), Errno.ENOSYS, false, ProfileForm.KUBERNETES));
        assertThatThrownBy(() -> KubernetesProfileWriter.write(enosys.profile(), "web"))
                .hasMessageStartingWith("a Kubernetes SeccompProfile has no default errno");
    }

    @Test
    void complainModeLogsWhatWasNotLearnedAndEnosysMakesTheClone3RuleRedundant() throws Exception {
        SeccompGenerator.Result complain = generate(HandMadeProfiles.web(), new SeccompGenerator.Options(List.of(),
                Optional.empty(), Optional.empty(), Errno.EPERM, true, ProfileForm.DOCKER));
        assertThat(complain.profile().defaultAction()).isEqualTo(SeccompAction.LOG);
        assertThat(complain.profile().defaultErrnoRet()).isEmpty();
        SeccompGenerator.Result enosys = generate(HandMadeProfiles.web(), new SeccompGenerator.Options(List.of(),
                Optional.empty(), Optional.empty(), Errno.ENOSYS, false, ProfileForm.DOCKER));
        assertThat(enosys.profile().defaultErrnoRet()).hasValue(Errno.ENOSYS);
        assertThat(enosys.profile().syscalls()).noneMatch(rule -> rule.names().contains("clone3"));
        assertThat(SeccompProfileWriter.writeDocker(enosys.profile())).doesNotContain("\"errnoRet\": 38");
    }

    @Test
    void everyNameIsCheckedAgainstEachTargetArchitecture() throws Exception {
        Profile p = HandMadeProfiles.webWithOpenAndIa32();
        assertThatThrownBy(() -> generate(p, new SeccompGenerator.Options(List.of(Arch.X86_64, Arch.AARCH64),
                Optional.empty(), Optional.empty(), Errno.EPERM, false, ProfileForm.DOCKER)))
                .isInstanceOf(SeccompGenerator.GenerateException.class)
                .hasMessage("not syscalls on aarch64: open (learned on x86_64): learn the workload on aarch64 too, or "
                        + "leave aarch64 out of --arch");
        // The ia32 calls come in with x86 as a sub-architecture of x86_64.
        SeccompGenerator.Result r = generate(p, options(ProfileForm.DOCKER));
        assertThat(r.profile().architectures()).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
        assertThat(r.allowed().get(Arch.X86_64)).contains("open", "socketcall", "_llseek");
        assertThatThrownBy(() -> generate(p, new SeccompGenerator.Options(List.of(Arch.X86), Optional.empty(),
                Optional.empty(), Errno.EPERM, false, ProfileForm.DOCKER)))
                .hasMessageStartingWith("x86 (ia32) is the 32-bit ABI of an x86_64 host");
    }

    @Test
    void twoArchitecturesGetAnArchMapAndPerArchitectureRules() throws Exception {
        Profile web = HandMadeProfiles.web();
        SeccompGenerator.Result r = generate(web, new SeccompGenerator.Options(List.of(Arch.X86_64, Arch.AARCH64),
                Optional.empty(), Optional.empty(), Errno.EPERM, false, ProfileForm.DOCKER));
        assertThat(r.profile().archMap()).extracting(ArchMapping::architecture)
                .containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64");
        // every learned name exists on both; the baseline's fstat/newfstatat... as each table has them
        EffectiveProfile arm = r.profile().evaluate(Arch.AARCH64, Set.of(), KernelVersion.running());
        assertThat(arm.outcome("openat").alwaysRuns()).isTrue();
        assertThat(r.baselineSource()).contains("measured on x86_64 only");
    }

    @Test
    void theRuntimeMustBeKnown() throws Exception {
        Profile web = HandMadeProfiles.web();
        Profile unknown = web.withMetadata(new io.eunomia.profiler.ProfileMetadata("x", "", new java.util.TreeSet<>(),
                List.of(), new java.util.TreeSet<>(), null, HandMadeProfiles.T0, HandMadeProfiles.T0, List.of()));
        assertThatThrownBy(() -> generate(unknown, options(ProfileForm.DOCKER)))
                .hasMessage("the profile does not say which runtime ran the workload: give --runtime "
                        + "runc|crun|docker|podman|containerd (its baseline must be allowed)");
        // conmon ran it (podman's or CRI-O's, neither named) and its OCI runtime's state was gone: said why,
        // with what to give (before, the profile said no manager and the message said nothing of conmon)
        Profile conmon = web.withMetadata(new io.eunomia.profiler.ProfileMetadata("x", "", new java.util.TreeSet<>(
                java.util.Set.of(new io.eunomia.profiler.RuntimeInfo("unknown", "", "conmon"))), List.of(),
                new java.util.TreeSet<>(), null, HandMadeProfiles.T0, HandMadeProfiles.T0, List.of()));
        assertThatThrownBy(() -> generate(conmon, options(ProfileForm.DOCKER)))
                .hasMessageContaining("run by conmon (podman's or CRI-O's").hasMessageContaining("give --runtime runc|crun");
        // its OCI runtime's state read while it ran: that runtime's baseline
        Profile conmonCrun = web.withMetadata(new io.eunomia.profiler.ProfileMetadata("x", "", new java.util.TreeSet<>(
                java.util.Set.of(new io.eunomia.profiler.RuntimeInfo("crun", "1.8.1", "conmon"))), List.of(),
                new java.util.TreeSet<>(), null, HandMadeProfiles.T0, HandMadeProfiles.T0, List.of()));
        assertThat(generate(conmonCrun, options(ProfileForm.DOCKER)).ociRuntime()).isEqualTo("crun");
        assertThatThrownBy(() -> generate(web, new SeccompGenerator.Options(List.of(), Optional.of("lxc"),
                Optional.empty(), Errno.EPERM, false, ProfileForm.DOCKER)))
                .hasMessage("unknown runtime 'lxc': expected runc, crun, docker, podman or containerd");
    }
}
