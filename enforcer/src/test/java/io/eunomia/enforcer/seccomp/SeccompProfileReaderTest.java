package io.eunomia.enforcer.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.abi.Capability;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SeccompProfileReaderTest {

    private static List<String> errors(String text) {
        try {
            SeccompProfileReader.read(text, "p.json");
        } catch (SeccompProfileException e) {
            return e.problems().stream().map(ProfileProblem::toString).toList();
        }
        throw new AssertionError("expected the profile to be refused:\n" + text);
    }

    @Test
    void readsAMobyProfileWithConditionsAndArgs() throws Exception {
        ReadProfile r = SeccompProfileReader.read("""
                {
                  "defaultAction": "SCMP_ACT_ERRNO",
                  "defaultErrnoRet": 1,
                  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
                  "syscalls": [
                    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                    {"name": "socket", "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
                    {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
                    {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8", "arches": ["amd64"]}},
                    {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"}]}
                  ]
                }
                """, "p.json");
        SeccompProfile p = r.profile();
        assertThat(r.form()).isEqualTo(ProfileForm.DOCKER);
        assertThat(p.defaultAction()).isEqualTo(SeccompAction.ERRNO);
        assertThat(p.defaultErrnoRet()).hasValue(1);
        assertThat(p.archMap()).containsExactly(new ArchMapping("SCMP_ARCH_X86_64", List.of("SCMP_ARCH_X86")));
        assertThat(p.syscalls()).hasSize(5);
        assertThat(p.syscalls().get(1).names()).containsExactly("socket");
        assertThat(p.syscalls().get(1).args()).containsExactly(ArgCondition.eq(0, 2));
        assertThat(p.syscalls().get(2).excludes().caps()).containsExactly(Capability.SYS_ADMIN);
        assertThat(p.syscalls().get(3).includes().minKernel()).contains(new KernelVersion(4, 8));
        assertThat(p.syscalls().get(4).args().getFirst().value()).isEqualTo(-1L);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void nameTogetherWithNamesIsRefusedWhereItIs() {
        assertThat(errors("""
                {"defaultAction": "SCMP_ACT_ERRNO",
                 "syscalls": [
                   {"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]}
                """)).containsExactly("p.json:3:5: a rule has both \"name\" and \"names\": use \"names\" only "
                + "(Docker refuses such a profile)");
    }

    @Test
    void architecturesTogetherWithArchMapIsRefused() {
        assertThat(errors("""
                {"defaultAction": "SCMP_ACT_ERRNO",
                 "architectures": ["SCMP_ARCH_X86_64"],
                 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []}],
                 "syscalls": []}
                """)).containsExactly("p.json:3:2: \"architectures\" and \"archMap\" are both given: use one of them "
                + "(Docker refuses such a profile)");
    }

    @Test
    void unknownActionIsRefusedAtTheValue() {
        assertThat(errors("""
                {"defaultAction": "SCMP_ACT_ERRNO",
                 "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOWED"}]}
                """)).singleElement().asString()
                .startsWith("p.json:2:45: unknown action \"SCMP_ACT_ALLOWED\": expected one of SCMP_ACT_ALLOW,");
    }

    @Test
    void unknownSyscallNameIsRefusedWithSuggestions() {
        assertThat(errors("""
                {"defaultAction": "SCMP_ACT_ERRNO",
                 "syscalls": [{"names": ["read", "mkdri"], "action": "SCMP_ACT_ALLOW"}]}
                """)).containsExactly("p.json:2:34: unknown syscall name \"mkdri\": no architecture has it "
                + "(did you mean mkdir?); runtimes would skip it without a word");
    }

    @Test
    void unknownFieldsAreRefusedAtTheirKey() {
        assertThat(errors("""
                {"defaultAction": "SCMP_ACT_ERRNO",
                 "defaultAcion": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "comments": "x"}]}
                """)).containsExactly(
                "p.json:2:2: unknown field \"defaultAcion\" in a profile: expected defaultAction, defaultErrnoRet, "
                        + "architectures, archMap, syscalls, flags, listenerPath, listenerMetadata, defaultErrno",
                "p.json:3:63: unknown field \"comments\" in a rule: expected names, name, action, errnoRet, errno, "
                        + "args, comment, includes, excludes");
    }

    @Test
    void everyOtherMistakeIsLocatedToo() {
        assertThat(errors("""
                {"defaultAction": "SCMP_ACT_LOG", "defaultErrnoRet": 1,
                 "architectures": ["SCMP_ARCH_X86_65"],
                 "flags": ["SECCOMP_FILTER_FLAG_NOPE"],
                 "syscalls": [
                   {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1,
                    "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": -1, "op": "SCMP_CMP_IS"}]},
                   {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "ENOSYS",
                    "includes": {"caps": ["CAP_NOPE"], "arches": ["amd65"], "minKernel": "4"}},
                   {"names": [], "action": "SCMP_ACT_ALLOW"},
                   {"action": "SCMP_ACT_ALLOW"},
                   {"names": ["read"]},
                   "read"
                 ]}
                """)).containsExactly(
                "p.json:2:20: unknown architecture \"SCMP_ARCH_X86_65\": expected an SCMP_ARCH_ name such as "
                        + "SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_X86",
                "p.json:3:12: unknown flag \"SECCOMP_FILTER_FLAG_NOPE\": expected one of SECCOMP_FILTER_FLAG_LOG, "
                        + "SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
                "p.json:5:54: an errno only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW: remove it",
                "p.json:6:24: argument index 6 is out of range: syscalls have arguments 0-5",
                "p.json:6:83: \"value\" -1 does not fit an unsigned 64-bit argument",
                "p.json:6:93: unknown operator \"SCMP_CMP_IS\": expected one of SCMP_CMP_NE, SCMP_CMP_LT, "
                        + "SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ",
                "p.json:7:76: \"errno\": \"ENOSYS\" is 38 but \"errnoRet\" says 1: make them agree",
                "p.json:8:27: unknown capability \"CAP_NOPE\": expected a name such as CAP_SYS_ADMIN",
                "p.json:8:51: unknown architecture \"amd65\" in includes.arches: expected libseccomp's names such as "
                        + "amd64, arm64, x86, arm, s390x, ppc64le",
                "p.json:8:74: minKernel \"4\" is not a kernel version: expected \"<major>.<minor>\", e.g. \"4.8\"",
                "p.json:9:14: \"names\" is empty: list the syscalls the rule applies to",
                "p.json:10:4: a rule without \"names\": list the syscalls it applies to",
                "p.json:11:4: a rule without \"action\": add e.g. \"action\": \"SCMP_ACT_ALLOW\"",
                "p.json:12:4: a rule must be an object, found string",
                "p.json:1:35: defaultErrnoRet only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_LOG: "
                        + "remove it");
    }

    @Test
    void brokenSyntaxAndTruncatedFilesGiveOneLocatedLine() {
        assertThat(errors("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [\n  {\"names\": [\"read\"],"))
                .singleElement().asString().startsWith("p.json:3:").contains("not valid JSON");
        assertThat(errors("")).containsExactly("p.json:1:1: the file is empty: expected a JSON object");
        assertThat(errors("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultAction\": \"SCMP_ACT_LOG\"}"))
                .containsExactly("p.json:1:37: duplicate key \"defaultAction\" (first at line 1): keep one");
        assertThat(errors("{\"syscalls\": []}"))
                .containsExactly("p.json:1:1: \"defaultAction\" is missing: add e.g. \"defaultAction\": \"SCMP_ACT_ERRNO\"");
    }

    @Test
    void namesOfOtherArchitecturesAndNewerLibseccompAreWarnings() throws Exception {
        ReadProfile r = SeccompProfileReader.read("""
                {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [{"names": ["read", "socketcall", "fchmodat2"], "action": "SCMP_ACT_ALLOW"},
                              {"names": ["set_tls"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm"]}}]}
                """, "p.json");
        assertThat(r.warnings()).extracting(ProfileProblem::toString).containsExactly(
                "p.json:2:34: \"socketcall\" is not a syscall on x86_64 (only on m68k, mips, mipsel, ppc, ppc64, "
                        + "ppc64le, s390, s390x, sh, sheb, x86): the rule never applies there",
                "p.json:2:48: \"fchmodat2\" is only resolved by libseccomp 2.5.5 or later: runtimes built with libseccomp "
                        + "2.5.4 (Debian 12's runc, crun, podman) skip it, so the call meets the default action there");
    }

    @Test
    void ociConfigAndKubernetesObjectsAreRead() throws Exception {
        ReadProfile oci = SeccompProfileReader.read("""
                {"ociVersion": "1.0.2", "process": {"args": ["sh"]},
                 "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                   "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}}}
                """, "config.json");
        assertThat(oci.form()).isEqualTo(ProfileForm.OCI);
        assertThat(oci.profile().syscalls()).hasSize(1);

        ReadProfile k8s = SeccompProfileReader.read("""
                apiVersion: security-profiles-operator.x-k8s.io/v1beta1
                kind: SeccompProfile
                metadata:
                  name: web
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                  architectures: [SCMP_ARCH_X86_64]
                  syscalls:
                    - action: SCMP_ACT_ALLOW
                      names: [read, write]
                """, "web.yaml");
        assertThat(k8s.form()).isEqualTo(ProfileForm.KUBERNETES);
        assertThat(k8s.profile().syscalls().getFirst().names()).containsExactly("read", "write");

        try {
            SeccompProfileReader.read("""
                    apiVersion: security-profiles-operator.x-k8s.io/v1beta1
                    kind: SeccompProfile
                    spec:
                      defaultAction: SCMP_ACT_ERRNO
                      syscalls:
                        - action: SCMP_ACT_ALLOW
                          names: [read]
                          includes: {caps: [CAP_SYS_ADMIN]}
                    """, "web.yaml");
            throw new AssertionError("includes in a Kubernetes profile must be refused");
        } catch (SeccompProfileException e) {
            assertThat(e.problems()).extracting(ProfileProblem::toString).containsExactly(
                    "web.yaml:8:7: unknown field \"includes\" in a rule (a Docker/moby profile field, which OCI runtimes "
                            + "and Kubernetes do not read: write this form with eunomia seccomp generate --format oci|k8s): "
                            + "expected names, action, errnoRet, args");
        }
        assertThatThrownBy(() -> SeccompProfileReader.read("{\"ociVersion\": \"1.0.2\", \"linux\": {}}", "c.json"))
                .isInstanceOf(SeccompProfileException.class)
                .hasMessage("c.json:1:34: this OCI config has no linux.seccomp: the container runs without a filter; "
                        + "give a profile file or a config with linux.seccomp");
    }

    @Test
    void conditionsEvaluateAsDockerDoes() throws Exception {
        SeccompProfile p = SeccompProfileReader.read("""
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                 "syscalls": [
                   {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                   {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
                   {"names": ["clone3"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                   {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
                   {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}},
                   {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                   {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}
                 ]}
                """, "p.json").profile();
        EffectiveProfile plain = p.evaluate(io.eunomia.abi.Arch.X86_64, java.util.Set.of(Capability.CHOWN),
                new KernelVersion(6, 18));
        assertThat(plain.outcome("read").alwaysRuns()).isTrue();
        assertThat(plain.outcome("clone3").always()).isEqualTo(Decision.errno(38));
        assertThat(plain.outcome("ptrace").alwaysRuns()).isTrue();
        assertThat(plain.outcome("arch_prctl").alwaysRuns()).isTrue();
        assertThat(plain.outcome("mkdir").mayRun()).isFalse();
        assertThat(plain.rules()).noneMatch(r -> r.names().contains("mkdir")); // same as the default: dropped
        assertThat(plain.outcome("socket").argumentDependent()).isTrue();
        assertThat(plain.outcome("socket").decide(new long[] {2, 1, 0})).isEqualTo(Decision.ALLOW);
        assertThat(plain.outcome("socket").decide(new long[] {17, 3, 0})).isEqualTo(Decision.errno(1));
        assertThat(plain.outcome("socket").describe()).isEqualTo("ALLOW if arg0 == 2, else ERRNO(EPERM)");

        EffectiveProfile admin = p.evaluate(io.eunomia.abi.Arch.X86_64, java.util.Set.of(Capability.SYS_ADMIN),
                new KernelVersion(4, 4));
        assertThat(admin.outcome("clone3").alwaysRuns()).isTrue();
        assertThat(admin.outcome("ptrace").mayRun()).isFalse();
        EffectiveProfile arm = p.evaluate(io.eunomia.abi.Arch.AARCH64, java.util.Set.of(), new KernelVersion(6, 1));
        assertThat(arm.outcome("arch_prctl").mayRun()).isFalse();
        assertThat(Optional.ofNullable(arm.outcome("clone3").always())).contains(Decision.errno(38));
    }
}
