package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One dockerd for the class: started in {@code @BeforeAll}, stopped in {@code @AfterAll}. */
class DockerdTest {
    static Dockerd docker;

    @BeforeAll
    static void setUp() {
        docker = Dockerd.start("eunomia-busybox:test");
    }

    @AfterAll
    static void tearDown() {
        if (docker != null) {
            long daemonPid = docker.daemonPid();
            docker.close();
            assertThat(ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(docker.workDir()).doesNotExist();
        }
    }

    @Test
    void startsAContainerWithCriLabelsAndCloseRemovesIt() throws Exception {
        assertThat(docker.ping()).isTrue();
        String name = OciRuntime.uniqueId("tk-docker");
        Map<String, String> labels = Map.of("io.kubernetes.pod.name", "web-0",
                "io.kubernetes.pod.namespace", "shop", "io.kubernetes.container.name", "nginx");
        EngineContainer c = docker.start(name, labels, List.of("sleep", "30"));
        String id = c.id();
        try {
            assertThat(id).matches("[0-9a-f]{64}");
            long pid = c.pid();
            assertThat(Procs.isRunning(pid)).isTrue();
            assertThat(Procs.namespace(pid, "mnt")).isNotEqualTo(Procs.namespace(ProcessHandle.current().pid(), "mnt"));
            List<String> cgroup = Procs.cgroupLines(pid);
            System.out.println("[docker] /proc/" + pid + "/cgroup of " + id + ":");
            cgroup.forEach(l -> System.out.println("    " + l));
            assertThat(cgroup).anyMatch(l -> l.contains(id));
            JsonNode inspect = c.inspect();
            labels.forEach((k, v) -> assertThat(inspect.at("/Config/Labels").get(k).asText()).isEqualTo(v));
            assertThat(inspect.at("/Name").asText()).isEqualTo("/" + name);
            assertThat(docker.containerConfig(id)).exists();
            assertThat(docker.stateRoot().resolve(id).resolve("state.json")).exists();
            assertThat(docker.bundleDir(id).resolve("config.json")).exists();
        } finally {
            c.close();
        }
        assertThat(Procs.isRunning(c.pid())).isFalse();
        assertThat(docker.containerConfig(id)).doesNotExist();
        assertThat(docker.stateRoot().resolve(id)).doesNotExist();
    }

    @Test
    void runsShortLivedContainers() {
        Result r = docker.runShortLived(OciRuntime.uniqueId("tk-short"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.id()).matches("[0-9a-f]{64}");
        assertThat(r.stdout().strip()).isEqualTo(r.id().substring(0, 12));
        Result kept = docker.run(OciRuntime.uniqueId("tk-exit"), Map.of(), List.of("sh", "-c", "exit 5"), false,
                ContainerEngine.CLI_TIMEOUT);
        assertThat(kept.exitCode()).isEqualTo(5);
        assertThat(docker.inspect(kept.id()).at("/State/ExitCode").asInt()).isEqualTo(5);
    }
}
