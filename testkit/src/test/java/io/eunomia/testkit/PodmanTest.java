package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PodmanTest {
    static Podman podman;

    @BeforeAll
    static void setUp() {
        podman = Podman.start("localhost/eunomia-busybox:test");
    }

    @AfterAll
    static void tearDown() {
        if (podman != null) {
            podman.close();
            assertThat(podman.workDir()).doesNotExist();
        }
    }

    @Test
    void startsAContainerAndCloseRemovesIt() throws Exception {
        String name = OciRuntime.uniqueId("tk-podman");
        EngineContainer c = podman.start(name, Map.of("app", "tk"), List.of("sleep", "30"));
        String id = c.id();
        try {
            assertThat(id).matches("[0-9a-f]{64}");
            long pid = c.pid();
            assertThat(Procs.isRunning(pid)).isTrue();
            assertThat(Procs.namespace(pid, "mnt")).isNotEqualTo(Procs.namespace(ProcessHandle.current().pid(), "mnt"));
            List<String> cgroup = Procs.cgroupLines(pid);
            System.out.println("[podman] /proc/" + pid + "/cgroup of " + id + ":");
            cgroup.forEach(l -> System.out.println("    " + l));
            assertThat(cgroup).anyMatch(l -> l.contains(id));
            assertThat(podman.stateRoot().resolve(id).resolve("state.json")).exists();
            assertThat(podman.bundleDir(id).resolve("config.json")).exists();
            assertThat(Files.readString(podman.containersJson())).contains(id).contains(name);
            assertThat(c.inspect().at("/Config/Labels/app").asText()).isEqualTo("tk");
            assertThat(c.inspect().at("/OCIRuntime").asText()).isEqualTo("runc");
        } finally {
            c.close();
        }
        assertThat(Procs.isRunning(c.pid())).isFalse();
        assertThat(podman.stateRoot().resolve(id)).doesNotExist();
        assertThat(podman.cli(ContainerEngine.CLI_TIMEOUT, "ps", "-aq", "--no-trunc").stdout()).doesNotContain(id);
    }

    @Test
    void runsShortLivedContainers() {
        Result r = podman.runShortLived(OciRuntime.uniqueId("tk-short"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.id()).matches("[0-9a-f]{64}");
        assertThat(r.stdout().strip()).isEqualTo(r.id().substring(0, 12));
        Result kept = podman.run(OciRuntime.uniqueId("tk-exit"), Map.of(), List.of("sh", "-c", "exit 5"), false,
                ContainerEngine.CLI_TIMEOUT);
        assertThat(kept.exitCode()).isEqualTo(5);
        assertThat(podman.inspect(kept.id()).at("/State/ExitCode").asInt()).isEqualTo(5);
    }
}
