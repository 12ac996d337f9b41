package io.eunomia.enforcer.verify;

import io.eunomia.enforcer.caps.DockerDefaults;
import java.time.Duration;
import java.util.List;

/**
 * Measures every runtime's baseline here and prints it as JSON lines (the data in
 * runtime-baselines.json comes from this): {@code mvn -pl enforcer -am test -Dtest=BaselineMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Deunomia.baseline.runs=10}. Not a test: it asserts nothing.
 */
class BaselineMeasurement {
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Tag("measurement")
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "eunomia.baseline.runs", matches = "\\d+")
    void measure() throws Exception {
        int runs = Integer.getInteger("eunomia.baseline.runs");
        for (ContainerRuntime rt : java.util.Arrays.stream(System.getProperty("eunomia.baseline.runtimes", "docker,podman,runc,crun,containerd").split(",")).map(s -> ContainerRuntime.parse(s).orElseThrow()).toList()) {
            for (boolean nnp : List.of(true, false)) {
                BaselineProbe.Measurement m = BaselineProbe.measure(RuntimeFixtures.launcher(rt),
                        RuntimeFixtures.workload(rt, List.of("true")), nnp, runs, DockerDefaults.CAPABILITIES,
                        Duration.ofSeconds(60));
                System.out.println("BASELINE {\"runtime\": \"" + rt.cliName() + "\", \"noNewPrivileges\": " + nnp
                        + ", \"runs\": " + runs + ", \"syscalls\": " + m.syscalls().stream().sorted().map(s -> "\"" + s + "\"").toList() + "}");
            }
        }
    }

    /** Docker's default profile as dockerd gives it to runc (evaluated for the default capabilities). */
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Tag("measurement")
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "eunomia.baseline.runs", matches = "\\d+")
    void dockerDefault() throws Exception {
        var dockerd = RuntimeFixtures.dockerd();
        try (var c = dockerd.start(io.eunomia.testkit.OciRuntime.uniqueId("default"), java.util.Map.of(),
                List.of("sleep", "30"))) {
            var profile = io.eunomia.enforcer.seccomp.SeccompProfileReader.read(
                    dockerd.bundleDir(c.id()).resolve("config.json")).profile();
            var eff = profile.evaluate(io.eunomia.abi.Arch.X86_64, DockerDefaults.CAPABILITIES,
                    io.eunomia.enforcer.seccomp.KernelVersion.running());
            System.out.println("DOCKER_DEFAULT " + eff.allowedNames().size() + " " + eff.allowedNames().stream()
                    .map(s -> "\"" + s + "\"").toList());
        }
    }
}
