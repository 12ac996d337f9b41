package io.eunomia.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private Docker engine: Debian's {@code dockerd} 20.10 (package {@code docker.io}) started by the
 * fixture, driven with the {@code docker} CLI through {@code DOCKER_HOST}.
 *
 * <p>Layout ({@code W} = workDir): socket {@code W/docker.sock}, data root {@code W/data}, exec root
 * {@code W/exec}, pid file {@code W/docker.pid}, daemon log {@code W/dockerd.log}, daemon config
 * {@code W/daemon.json} (instead of {@code /etc/docker/daemon.json}; it also moves the trust key from
 * {@code /etc/docker/key.json} to {@code W/key.json}), CLI config {@code W/cli} ({@code DOCKER_CONFIG}).
 * Flags: {@code --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs} (or another driver).
 *
 * <p>Where the product finds containers: runc state {@code W/exec/runtime-runc/moby/<id>/state.json}
 * ({@link #stateRoot()}), OCI bundle {@code W/exec/containerd/daemon/io.containerd.runtime.v2.task/moby/<id>/config.json},
 * engine config {@code W/data/containers/<id>/config.v2.json} (name, image, labels). Cgroups
 * {@code /docker/<id>} in every hierarchy.
 *
 * <p>Outside W, hard-coded in dockerd/containerd and not configurable: {@code /run/docker/plugins}
 * (empty directory) and {@code /run/containerd/s/} (shim sockets, removed when shims exit).
 *
 * <p>Startup takes 0.2–5 s: share one per test class ({@code static Dockerd} created in
 * {@code @BeforeAll}, closed in {@code @AfterAll}). {@link #close()} removes all containers, stops the
 * daemon (SIGTERM, then SIGKILL after 15 s), kills leftover containerd/shim processes of this daemon,
 * unmounts what is left under W and deletes W; a JVM shutdown hook does the same if never closed.
 */
public final class Dockerd extends ContainerEngine {
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3); // ~5 s idle; far longer on a loaded machine

    private final Path docker;
    private final Map<String, String> env;
    private final String storageDriver;
    private Process daemon;

    private Dockerd(Path workDir, String storageDriver) {
        super(workDir);
        this.storageDriver = storageDriver;
        Binaries.require("dockerd", "docker.io");
        Binaries.require("containerd", "containerd");
        this.docker = Binaries.require("docker", "docker.io");
        this.env = Map.of("DOCKER_HOST", "unix://" + workDir.resolve("docker.sock"),
                "DOCKER_CONFIG", workDir.resolve("cli").toString());
    }

    /** Starts a private dockerd and imports the busybox rootfs as {@code image} (e.g. {@code eunomia-busybox:test}). */
    public static Dockerd start(String image) {
        return start(image, "vfs");
    }

    /**
     * As {@link #start(String)} with a storage driver: "overlay2" puts each container's root at
     * {@code dataRoot()/overlay2/<layer>/merged}, an overlay dockerd mounts while the container runs.
     */
    public static Dockerd start(String image, String storageDriver) {
        Path dir = Cleanup.newTempDir("dockerd");
        Dockerd d;
        try {
            d = new Dockerd(dir, storageDriver);
        } catch (RuntimeException e) {
            Cleanup.unmountAndDelete(dir);
            throw e;
        }
        Cleanup.register(d);
        try {
            d.startDaemon();
            d.importDefaultImage(image);
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private void startDaemon() {
        try {
            Files.createDirectories(workDir.resolve("cli"));
            Files.writeString(workDir.resolve("daemon.json"),
                    "{\"deprecated-key-path\": \"" + workDir.resolve("key.json") + "\"}\n");
            List<String> cmd = List.of(Binaries.require("dockerd", "docker.io").toString(),
                    "--config-file", workDir.resolve("daemon.json").toString(),
                    "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=" + storageDriver,
                    "--data-root", dataRoot().toString(),
                    "--exec-root", execRoot().toString(),
                    "--pidfile", pidFile().toString(),
                    "-H", "unix://" + socket());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(logFile().toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_"));
            daemon = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start dockerd", e);
        }
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!ping()) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("dockerd exited with " + daemon.exitValue() + ":\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("dockerd did not answer /_ping within " + STARTUP_TIMEOUT + ":\n" + logTail());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** True when {@code GET /_ping} on the socket answers 200 "OK" (plain HTTP/1.1 over the unix socket). */
    public boolean ping() {
        return ApiPing.ok(socket());
    }

    private String logTail() {
        String log = Cmd.read(logFile());
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }

    @Override
    public String name() {
        return "docker";
    }

    /** "runc" (containerd's io.containerd.runc.v2 shim runs the host's runc). */
    @Override
    public String runtimeName() {
        return "runc";
    }

    /** {@code execRoot()/runtime-runc/moby}: the {@code --root} containerd's shim gives runc. */
    @Override
    public Path stateRoot() {
        return execRoot().resolve("runtime-runc").resolve("moby");
    }

    @Override
    public Path bundleDir(String id) {
        return execRoot().resolve("containerd/daemon/io.containerd.runtime.v2.task/moby").resolve(id);
    }

    /** {@code dataRoot()/containers/<id>/config.v2.json}: name, image, labels, state. */
    public Path containerConfig(String id) {
        return dataRoot().resolve("containers").resolve(id).resolve("config.v2.json");
    }

    public Path socket() {
        return workDir.resolve("docker.sock");
    }

    /** {@code unix:///.../docker.sock}, the value for {@code DOCKER_HOST}. */
    public String dockerHost() {
        return "unix://" + socket();
    }

    public Path dataRoot() {
        return workDir.resolve("data");
    }

    public Path execRoot() {
        return workDir.resolve("exec");
    }

    public Path pidFile() {
        return workDir.resolve("docker.pid");
    }

    public Path logFile() {
        return workDir.resolve("dockerd.log");
    }

    /** Pid of the dockerd process. */
    public long daemonPid() {
        return daemon.pid();
    }

    @Override
    List<String> cliProgram() {
        return List.of(docker.toString());
    }

    @Override
    public Map<String, String> cliEnv() {
        return env;
    }

    @Override
    List<String> forceRemoveArgs(String id) {
        return List.of("rm", "-f", id);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (daemon != null && daemon.isAlive()) {
                removeAllContainers();
                Result ps = cli(CLI_TIMEOUT, "ps", "-aq", "--no-trunc");
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                ps.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).forEach(rm::add);
                if (rm.size() > 2) {
                    cli(rm, CLI_TIMEOUT);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("eunomia-testkit: docker cleanup: " + e.getMessage());
        } finally {
            stopDaemon();
            Cleanup.unmountAndDelete(workDir);
            Cleanup.unregister(this);
        }
    }

    private void stopDaemon() {
        if (daemon == null) {
            return;
        }
        List<ProcessHandle> children = daemon.descendants().toList();
        daemon.destroy(); // SIGTERM
        try {
            if (!daemon.waitFor(15, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        // containerd and its shims (reparented to init) are recognised by our private paths.
        String mine = workDir.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(mine)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return "Dockerd[" + workDir + "]";
    }
}
