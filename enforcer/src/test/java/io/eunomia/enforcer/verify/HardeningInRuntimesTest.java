package io.eunomia.enforcer.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Capability;
import io.eunomia.abi.Errno;
import io.eunomia.enforcer.caps.CapabilitySet;
import io.eunomia.enforcer.seccomp.ProfileForm;
import io.eunomia.enforcer.seccomp.SeccompGenerator;
import io.eunomia.enforcer.seccomp.SeccompProfile;
import io.eunomia.enforcer.seccomp.SeccompProfileReader;
import io.eunomia.enforcer.seccomp.SeccompProfileWriter;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.Profile;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole hardener, for real: a busybox workload is learned in runc, a profile is generated for
 * each runtime, and the workload runs under it in a real dockerd, podman, runc, crun and containerd
 * with nothing refused; one extra call (mknod) is refused with EPERM; chown needs CAP_CHOWN, as
 * CapEff shows; complain mode lets the extra call run and the kernel log reports it; a socket family
 * that was never learned is refused although socket is allowed.
 */
class HardeningInRuntimesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** Files, a chown, a TCP socket (nc fails at once: nothing listens, or no route in an empty netns). */
    static final String WORKLOAD = "mkdir -p /tmp/w && echo hi > /tmp/w/f && cat /tmp/w/f && touch /tmp/w/g "
            + "&& chown 1:1 /tmp/w/g && ls -ln /tmp/w && rm -r /tmp/w; nc 127.0.0.1 1 </dev/null 2>/dev/null; "
            + "echo done";
    /** The extra call; the runtimes on a root file system share it, so the node is removed again. */
    static final String MKNOD = "; rm -f /tmp/p; mknod /tmp/p p && echo made; rm -f /tmp/p";
    private static final List<String> LEARN_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL");

    private static Profile learned;
    private static Set<Capability> caps;

    @BeforeAll
    static void learn() throws Exception {
        learned = LearnedWorkloads.learnInRunc(WORKLOAD, LEARN_CAPS);
        caps = CapabilitySet.of(List.of(learned)).keep();
    }

    private static SeccompProfile generate(ContainerRuntime rt, boolean complain) throws Exception {
        return generate(rt, complain, false);
    }

    private static SeccompProfile generate(ContainerRuntime rt, boolean complain, boolean noNewPrivileges)
            throws Exception {
        SeccompGenerator.Result r = SeccompGenerator.generate(List.of(learned), new SeccompGenerator.Options(List.of(),
                Optional.of(rt.cliName()), Optional.of(noNewPrivileges), Errno.EPERM, complain, ProfileForm.DOCKER));
        // What the user gets is the written file: read it back as a runtime would be given it.
        return SeccompProfileReader.read(SeccompProfileWriter.writeDocker(r.profile()), "generated.json").profile();
    }

    private static VerifyReport verify(ContainerRuntime rt, SeccompProfile profile, Set<Capability> keep, String script)
            throws Exception {
        return verify(rt, profile, keep, script, false);
    }

    private static VerifyReport verify(ContainerRuntime rt, SeccompProfile profile, Set<Capability> keep, String script,
                                       boolean noNewPrivileges) throws Exception {
        return Verifier.run(RuntimeFixtures.launcher(rt), RuntimeFixtures.workload(rt, List.of("sh", "-c", script)),
                new Confinement(profile, keep, noNewPrivileges), TIMEOUT);
    }

    @Test
    void learningSawTheWorkloadAndItsCapability() throws Exception {
        var x86 = learned.arch(io.eunomia.abi.Arch.current());
        assertThat(x86.workload().keySet()).as(LearnedWorkloads.describe(learned)).contains("execve", "socket").containsAnyOf("mkdir", "mkdirat")
                .containsAnyOf("chown", "fchownat", "lchown").doesNotContain("mknod", "mknodat", "pivot_root");
        assertThat(caps).contains(Capability.CHOWN);
        assertThat(x86.argument(ArgumentSpec.SOCKET_FAMILY).orElseThrow().values()).containsExactly(2L);
        for (ContainerRuntime rt : ContainerRuntime.values()) {
            SeccompGenerator.Result r = SeccompGenerator.generate(List.of(learned), new SeccompGenerator.Options(List.of(),
                    Optional.of(rt.cliName()), Optional.of(false), Errno.EPERM, false, ProfileForm.DOCKER));
            System.out.println("summary for " + rt.cliName() + ": " + io.eunomia.enforcer.seccomp.GenerateSummary.lines(r,
                    CapabilitySet.of(List.of(learned)), Optional.of(rt.cliName())));
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerRuntime.class)
    void theLearnedWorkloadRunsWithNothingRefused(ContainerRuntime rt) throws Exception {
        VerifyReport r = verify(rt, generate(rt, false), caps, WORKLOAD);
        System.out.print(VerifyReportFormat.text(r));
        assertThat(r.denied()).as(VerifyReportFormat.text(r)).isEmpty();
        assertThat(r.exitCode()).as(VerifyReportFormat.text(r)).isZero();
        assertThat(r.output()).contains("done");
        assertThat(r.workload().orElseThrow().seccompFilter()).isTrue();
        assertThat(r.workload().orElseThrow().effective()).isEqualTo(caps);
        assertThat(r.clean()).isTrue();
    }

    /** The other measured baseline: with no_new_privileges the runtimes need fewer calls, and get only those. */
    @ParameterizedTest
    @EnumSource(ContainerRuntime.class)
    void withNoNewPrivilegesTheSmallerBaselineSuffices(ContainerRuntime rt) throws Exception {
        SeccompProfile profile = generate(rt, false, true);
        assertThat(profile.syscalls()).noneMatch(r -> r.names().contains("capset"));   // only without no_new_privs
        VerifyReport r = verify(rt, profile, caps, WORKLOAD, true);
        assertThat(r.denied()).as(VerifyReportFormat.text(r)).isEmpty();
        assertThat(r.output()).contains("done");
        assertThat(r.workload().orElseThrow().noNewPrivs()).isTrue();
        assertThat(r.clean()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ContainerRuntime.class)
    void anExtraCallIsRefusedWithEperm(ContainerRuntime rt) throws Exception {
        VerifyReport r = verify(rt, generate(rt, false), caps, WORKLOAD + MKNOD);
        assertThat(r.output()).doesNotContain("made").contains("Operation not permitted");
        assertThat(r.denied()).as(VerifyReportFormat.text(r))
                .anySatisfy(d -> {
                    assertThat(d.name()).isIn("mknod", "mknodat");
                    assertThat(d.errno()).isEqualTo("EPERM");
                    assertThat(d.phase()).isEqualTo(VerifyReport.Phase.WORKLOAD);
                    assertThat(d.profile()).isEqualTo("ERRNO(EPERM)");
                })
                .allSatisfy(d -> assertThat(d.phase()).isEqualTo(VerifyReport.Phase.WORKLOAD));
        assertThat(r.clean()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(ContainerRuntime.class)
    void chownNeedsCapChownAsCapEffShows(ContainerRuntime rt) throws Exception {
        SeccompProfile profile = generate(rt, false);
        String script = "touch /tmp/c && chown 1:1 /tmp/c && echo chowned";
        EnumSet<Capability> without = EnumSet.copyOf(caps);
        without.remove(Capability.CHOWN);

        VerifyReport refused = verify(rt, profile, without, script);
        assertThat(refused.output()).doesNotContain("chowned");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.workload().orElseThrow().effective()).doesNotContain(Capability.CHOWN);
        // The kernel refused the capability, not seccomp: nothing shows as a filtered call.
        assertThat(refused.denied()).as(VerifyReportFormat.text(refused)).isEmpty();

        VerifyReport granted = verify(rt, profile, caps, script);
        assertThat(granted.output()).contains("chowned");
        assertThat(granted.workload().orElseThrow().effective()).contains(Capability.CHOWN);
        assertThat(granted.clean()).as(VerifyReportFormat.text(granted)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ContainerRuntime.class)
    void complainModeLetsTheExtraCallRunAndTheKernelLogReportsIt(ContainerRuntime rt) throws Exception {
        VerifyReport r = verify(rt, generate(rt, true), caps, WORKLOAD + MKNOD);
        assertThat(r.output()).contains("made");
        assertThat(r.exitCode()).isZero();
        assertThat(r.denied()).as(VerifyReportFormat.text(r)).isEmpty();
        assertThat(r.logged()).as(VerifyReportFormat.text(r)).anySatisfy(l -> {
            assertThat(l.name()).isIn("mknod", "mknodat");
            assertThat(l.seenBy()).contains(VerifyReport.LogSource.KERNEL_LOG, VerifyReport.LogSource.SENSOR);
            assertThat(l.phase()).isEqualTo(VerifyReport.Phase.WORKLOAD);
        });
        assertThat(r.clean()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = ContainerRuntime.class, names = {"RUNC", "DOCKER"})
    void aSocketFamilyNeverLearnedIsRefusedThoughSocketIsAllowed(ContainerRuntime rt) throws Exception {
        SeccompProfile profile = generate(rt, false);
        EnumSet<Capability> withRaw = EnumSet.copyOf(caps);
        withRaw.add(Capability.NET_RAW);   // so only seccomp can refuse the packet socket
        VerifyReport r = verify(rt, profile, withRaw, "arping -c 1 -w 1 -I lo 127.0.0.1; echo rc=$?");
        assertThat(r.denied()).as(VerifyReportFormat.text(r)).anySatisfy(d -> {
            assertThat(d.name()).isEqualTo("socket");
            assertThat(d.errno()).isEqualTo("EPERM");
            assertThat(d.args().getFirst()).isEqualTo(17L);   // AF_PACKET
            assertThat(d.profile()).startsWith("ALLOW if arg0 == 2");
        });
        assertThat(r.output()).contains("Operation not permitted");
    }
}
