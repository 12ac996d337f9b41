package io.eunomia.engine.learn;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.testkit.BesideTheStream;
import io.eunomia.testkit.ContainerEngine;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.EngineContainer;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Podman;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eunomia learn --container NAME} of a real dockerd and a real podman container, started after learning began. */
@BesideTheStream
class LearnEnginesTest {
    static final String SCRIPT = "mkdir /d && chown 1:1 /d && cat /etc/hostname >/dev/null; sleep 30";

    @TempDir
    Path dir;

    @Test
    void dockerContainer() throws Exception {
        try (Dockerd docker = Dockerd.start("eunomia-busybox:test")) {
            Profile p = learn(docker, "docker", List.of("--docker-socket", docker.socket().toString()));
            assertThat(p.metadata().image()).isEqualTo("eunomia-busybox:test");
        }
    }

    @Test
    void podmanContainer() throws Exception {
        try (Podman podman = Podman.start("localhost/eunomia-busybox:test")) {
            Profile p = learn(podman, "podman", List.of());
            assertThat(p.metadata().image()).isEqualTo("localhost/eunomia-busybox:test");
        }
    }

    private Profile learn(ContainerEngine engine, String manager, List<String> extra) throws Exception {
        String name = OciRuntime.uniqueId("learn-" + manager);
        Path out = dir.resolve(name + ".yaml");
        List<String> args = new ArrayList<>(List.of("--container", name, "--out", out.toString(), "--until-stable", "3s",
                "--poll", "200ms"));
        args.addAll(extra);
        String id;
        try (LearnRun learn = LearnRun.start(args.toArray(String[]::new))) {
            try (EngineContainer c = engine.start(name, Map.of(), List.of("sh", "-c", SCRIPT))) {
                id = c.id();
                assertThat(learn.finish()).as(learn.stderr.toString()).isZero();
            }
        }
        Profile p = ProfileFiles.read(out);
        assertThat(p.metadata().name()).isEqualTo(name);
        assertThat(p.metadata().containerIds()).containsExactly(id);
        assertThat(p.metadata().runtimes()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo(engine.runtimeName());
            assertThat(r.manager()).isEqualTo(manager);
            assertThat(r.version()).isNotEmpty();
        });
        ArchProfile x64 = p.arch(Arch.X86_64);
        assertThat(x64.workload().keySet()).contains("execve", "clone", "wait4").containsAnyOf("mkdir", "mkdirat")
                .containsAnyOf("chown", "fchownat", "lchown").doesNotContain("pivot_root", "sethostname");
        assertThat(x64.runtime().keySet()).contains("pivot_root");
        assertThat(p.capsGranted()).containsKey(Capability.CHOWN).doesNotContainKey(Capability.SYS_ADMIN);
        assertThat(p.executables()).containsKey("/bin/busybox");
        return p;
    }
}
