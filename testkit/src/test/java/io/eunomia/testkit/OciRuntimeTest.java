package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OciRuntimeTest {

    @Test
    void runcStartsAContainerAndCloseRemovesIt() {
        try (Runc runc = new Runc()) {
            assertThat(runc.stateRoot()).hasToString("/run/runc");
            checkLongRunning(runc);
        }
    }

    @Test
    void crunStartsAContainerAndCloseRemovesIt() {
        try (Crun crun = new Crun()) {
            assertThat(crun.stateRoot()).hasToString("/run/crun");
            checkLongRunning(crun);
        }
    }

    @Test
    void runcAndCrunRunShortLivedContainers() {
        try (Runc runc = new Runc(); Crun crun = new Crun()) {
            for (OciRuntime rt : List.of(runc, crun)) {
                String id = OciRuntime.uniqueId("tk-short");
                Result r = rt.runShortLived(id);
                assertThat(r.exitCode()).as(rt.name() + ": " + r.stderr()).isZero();
                assertThat(r.id()).isEqualTo(id);
                assertThat(r.stdout().strip()).isEqualTo(id);
                assertThat(rt.exists(id)).isFalse();
                Result failing = rt.run(OciRuntime.uniqueId("tk-exit"), List.of("sh", "-c", "echo out; exit 7"),
                        Duration.ofSeconds(20));
                assertThat(failing.exitCode()).isEqualTo(7);
                assertThat(failing.stdout()).isEqualTo("out\n");
            }
        }
    }

    @Test
    void runcConfigCarriesSpecFields() {
        try (Runc runc = new Runc()) {
            String id = OciRuntime.uniqueId("tk-spec");
            ContainerSpec spec = ContainerSpec.of("sh", "-c", "echo $FOO; pwd; hostname; sleep 30")
                    .withEnv("FOO", "bar").withCwd("/tmp").withHostname("h1")
                    .withAnnotation("io.kubernetes.pod.name", "pod-a");
            try (RunningContainer c = runc.start(id, spec)) {
                assertThat(c.bundle().config().at("/annotations/io.kubernetes.pod.name").asText()).isEqualTo("pod-a");
                assertThat(c.state().get("pid").asLong()).isEqualTo(c.pid());
                assertThat(c.state().get("bundle").asText()).isEqualTo(c.bundle().dir().toString());
                assertThat(Files.exists(c.stateDir().resolve("state.json"))).isTrue();
                long deadline = System.currentTimeMillis() + 5000;
                while (!c.stdout().contains("h1") && System.currentTimeMillis() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(c.stdout()).isEqualTo("bar\n/tmp\nh1\n");
            }
        }
    }

    static void checkLongRunning(OciRuntime rt) {
        String id = OciRuntime.uniqueId("tk-" + rt.name());
        RunningContainer c = rt.start(id, List.of("sleep", "30"));
        try {
            long pid = c.pid();
            assertThat(Procs.isRunning(pid)).isTrue();
            assertThat(Procs.namespace(pid, "mnt")).isNotEqualTo(Procs.namespace(ProcessHandle.current().pid(), "mnt"));
            List<String> cgroup = Procs.cgroupLines(pid);
            System.out.println("[" + rt.name() + "] /proc/" + pid + "/cgroup of " + id + ":");
            cgroup.forEach(l -> System.out.println("    " + l));
            assertThat(cgroup).anyMatch(l -> l.contains(id));
            assertThat(rt.exists(id)).isTrue();
            assertThat(c.state().get("status").asText()).isEqualTo("running");
        } finally {
            c.close();
        }
        assertThat(Procs.isRunning(c.pid())).isFalse();
        assertThat(rt.exists(id)).isFalse();
        assertThat(c.bundle().dir()).doesNotExist();
    }
}
