package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Cgroup layouts seen on this host's runtimes (testkit's report) and in the wild. */
class CgroupPatternsTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void recognisesEachRuntimesLayout() {
        assertThat(CgroupPatterns.match(List.of("12:cpuset:/docker/" + A, "0::/docker/" + A)))
                .contains(new CgroupPatterns.Match("docker", A));
        assertThat(CgroupPatterns.match(List.of("0::/system.slice/docker-" + A + ".scope")))
                .contains(new CgroupPatterns.Match("docker", A));
        assertThat(CgroupPatterns.match(List.of("4:memory:/libpod_parent/libpod-" + A)))
                .contains(new CgroupPatterns.Match("podman", A));
        assertThat(CgroupPatterns.match(List.of("0::/machine.slice/libpod-" + A + ".scope/container")))
                .contains(new CgroupPatterns.Match("podman", A));
        assertThat(CgroupPatterns.match(List.of("0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + A + ".scope")))
                .contains(new CgroupPatterns.Match("containerd", A));
        assertThat(CgroupPatterns.match(List.of("0::/kubepods.slice/crio-" + A + ".scope")))
                .contains(new CgroupPatterns.Match("cri-o", A));
        assertThat(CgroupPatterns.match(List.of("0::/user.slice/session-1.scope", "0::/"))).isEmpty();
    }

    @Test
    void aContainerCannotPassItselfOffAsOneItNamesBelowItsOwnCgroup() {
        // A privileged podman container creates .../docker/<B> below its own cgroup.
        assertThat(CgroupPatterns.match(List.of("0::/libpod_parent/libpod-" + A + "/docker/" + B)))
                .contains(new CgroupPatterns.Match("podman", A));
        // A runc container "web" creates /web/db: "web" comes first.
        assertThat(CgroupPatterns.ociIdCandidates(List.of("3:cpuset:/web/db"))).containsSequence("web", "db");
    }

    @Test
    void ociCandidatesAreSafeFileNames() {
        assertThat(CgroupPatterns.ociIdCandidates(List.of("4:memory:/process_api/3d7e/eun-runc-1", "0::/..")))
                .containsExactly("process_api", "3d7e", "eun-runc-1");
        assertThat(CgroupPatterns.isSafeOciId("..")).isFalse();
        assertThat(CgroupPatterns.isSafeOciId("a/b")).isFalse();
        assertThat(CgroupPatterns.isSafeOciId("x".repeat(200))).isFalse();
    }
}
