package io.eunomia.enforcer.verify;

import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.Containerd;
import io.eunomia.testkit.Dockerd;
import io.eunomia.testkit.Podman;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real runtimes of the enforcer's tests, started once per JVM on first use (dockerd takes
 * seconds) and stopped by the testkit's shutdown hook: a private dockerd and podman with the
 * busybox image, a private containerd, runc and crun on a busybox root file system.
 */
final class RuntimeFixtures {
    static final String DOCKER_IMAGE = "eunomia-busybox:test";
    static final String PODMAN_IMAGE = "localhost/eunomia-busybox:test";

    private static Dockerd dockerd;
    private static Podman podman;
    private static Containerd containerd;
    private static Path rootfs;

    private RuntimeFixtures() {
    }

    static synchronized Dockerd dockerd() {
        if (dockerd == null) {
            dockerd = Dockerd.start(DOCKER_IMAGE);
        }
        return dockerd;
    }

    static synchronized Podman podman() {
        if (podman == null) {
            podman = Podman.start(PODMAN_IMAGE);
        }
        return podman;
    }

    static synchronized Containerd containerd() {
        if (containerd == null) {
            containerd = Containerd.start();
        }
        return containerd;
    }

    /** A private writable copy of the busybox root file system (workloads may write into it). */
    static synchronized Path rootfs() {
        if (rootfs == null) {
            Path dir = Cleanup.newTempDir("vrootfs");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Cleanup.unmountAndDelete(dir)));
            BusyboxRootfs.get().copyTo(dir.resolve("rootfs"));
            rootfs = dir.resolve("rootfs");
        }
        return rootfs;
    }

    static ContainerLauncher launcher(ContainerRuntime runtime) {
        try {
            return switch (runtime) {
                case DOCKER -> EngineLauncher.onPath(runtime, dockerd().cliEnv(), Optional.of("none"));
                case PODMAN -> EngineLauncher.onPath(runtime, podman().cliEnv(), Optional.of("none"));
                case RUNC, CRUN -> OciLauncher.onPath(runtime);
                case CONTAINERD -> ContainerdLauncher.onPath(containerd().socket(), containerd().namespace());
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The busybox workload for a runtime: the image for docker/podman, the root file system for the others. */
    static Workload workload(ContainerRuntime runtime, List<String> command) {
        return switch (runtime) {
            case DOCKER -> Workload.image(DOCKER_IMAGE, command);
            case PODMAN -> Workload.image(PODMAN_IMAGE, command);
            default -> Workload.rootfs(rootfs(), command);
        };
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
