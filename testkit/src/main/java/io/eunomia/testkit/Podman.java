package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * podman 4.3 (Debian package {@code podman}) as root with a private configuration and storage, all
 * under {@link #workDir()}; nothing in {@code /etc} is read for engine/storage settings or written.
 *
 * <p>Layout ({@code W} = workDir): {@code W/containers.conf} and {@code W/storage.conf} (given through
 * {@code CONTAINERS_CONF}, {@code CONTAINERS_STORAGE_CONF}); graphroot {@code W/graph}, runroot
 * {@code W/run}, tmp_dir {@code W/tmp}, network config {@code W/networks}, events {@code W/events.log}.
 * Container records: {@code W/graph/<driver>-containers/containers.json}; each container's OCI bundle
 * {@code W/graph/<driver>-containers/<id>/userdata/config.json}; libpod's database
 * {@code W/graph/libpod/bolt_state.db}.
 *
 * <p>The OCI runtime is pinned to runc (crun refuses this hybrid cgroup host). podman as root passes no
 * {@code --root} to runc, so states land in runc's default {@value Runc#DEFAULT_STATE_ROOT}{@code /<id>/}.
 * Cgroups: {@code /libpod_parent/libpod-<id>} in every hierarchy (cgroupfs manager).
 *
 * <p>Settings (environment.md): cgroup_manager cgroupfs, events_logger file, netns none, REQUIRED
 * default_ulimits nofile/nproc 1024 (no CAP_SYS_RESOURCE here), network_config_dir private (else
 * {@code /etc/containers/networks} is created). Storage driver overlay when the kernel has it, else vfs.
 *
 * <p>podman 4.3 quirks: conmon starts the exit command ({@code podman container cleanup}) without
 * {@code CONTAINERS_CONF}, so that process runs with built-in defaults plus the flags podman passes
 * (root, runroot, tmpdir, runtime, events backend, network dirs). Because of that the lock type stays
 * the default {@code shm} (a {@code lock_type = "file"} here would leave the cleanup process on a
 * different lock manager); podman uses the host-wide {@code /dev/shm/libpod_lock} whatever we do.
 * Other host paths podman 4.3 writes that cannot be configured: {@code /var/lib/containers/cache/
 * blob-info-cache-v1.boltdb} (by {@code import}) and the empty directory {@code /run/containers/networks}.
 * A workDir path longer than ~45 characters makes every foreground {@code podman run} wait 20 s
 * ({@link Cleanup#newTempDir} keeps it short).
 */
public final class Podman extends ContainerEngine {
    private final Path podman;
    private final Path runc;
    private final String driver;
    private final Map<String, String> env;
    /** The journald its events go to (events_logger journald), null: the file backend ({@link #eventLog()}). */
    private final Journald journald;
    private Process apiService;

    private Podman(Path workDir, String driver, Journald journald) {
        super(workDir);
        this.journald = journald;
        this.podman = Binaries.require("podman", "podman");
        Binaries.require("conmon", "conmon");
        this.runc = Binaries.require("runc", "runc");
        this.driver = driver;
        this.env = Map.of("CONTAINERS_CONF", workDir.resolve("containers.conf").toString(),
                "CONTAINERS_STORAGE_CONF", workDir.resolve("storage.conf").toString(),
                "TMPDIR", workDir.resolve("tmp").toString());
    }

    /**
     * Sets up private podman storage and imports the busybox rootfs as {@code image} (e.g.
     * {@code localhost/eunomia-busybox:test}). Close it to remove containers and storage.
     */
    public static Podman start(String image) {
        return start(image, overlayAvailable() ? "overlay" : "vfs");
    }

    /** As {@link #start(String)} with an explicit storage driver ("overlay" or "vfs"). */
    public static Podman start(String image, String storageDriver) {
        return start(image, storageDriver, null);
    }

    /**
     * As {@link #start(String)}, with podman's journald events backend ({@code events_logger =
     * "journald"}): every podman command (and the cleanup process conmon starts) runs in the
     * journald fixture's clients' namespace, so its events go to that journald, and no event log file
     * is written.
     */
    public static Podman startWithJournald(String image, Journald journald) {
        return start(image, overlayAvailable() ? "overlay" : "vfs", java.util.Objects.requireNonNull(journald));
    }

    private static Podman start(String image, String storageDriver, Journald journald) {
        Path dir = Cleanup.newTempDir("podman");
        Podman p;
        try {
            p = new Podman(dir, storageDriver, journald);
        } catch (RuntimeException e) {
            Cleanup.unmountAndDelete(dir);
            throw e;
        }
        Cleanup.register(p);
        try {
            p.writeConfig();
            p.importDefaultImage(image);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * The network stack podman finds here: Debian's podman needs either netavark (recommended, and
     * what scripts/setup.sh installs) or CNI plugins. The containers run without a network
     * (netns none), but podman refuses to start without the backend its configuration names.
     */
    static String networkBackend() {
        for (String dir : List.of("/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman", "/usr/lib/podman")) {
            if (Files.isExecutable(Path.of(dir, "netavark"))) {
                return "netavark";
            }
        }
        return "cni";
    }

    static boolean overlayAvailable() {
        try {
            return Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n");
        } catch (IOException e) {
            return false;
        }
    }

    private void writeConfig() {
        try {
            for (String d : List.of("graph", "run", "tmp", "networks")) {
                Files.createDirectories(workDir.resolve(d));
            }
            Files.writeString(workDir.resolve("containers.conf"), """
                    [containers]
                    netns = "none"
                    default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

                    [network]
                    network_backend = "%3$s"
                    network_config_dir = "%1$s/networks"

                    [engine]
                    cgroup_manager = "cgroupfs"
                    %4$s
                    runtime = "runc"
                    tmp_dir = "%1$s/tmp"

                    [engine.runtimes]
                    runc = ["%2$s"]
                    """.formatted(workDir, runc, networkBackend(), journald != null ? "events_logger = \"journald\""
                    : "events_logger = \"file\"\nevents_logfile_path = \"" + workDir + "/events.log\""));
            Files.writeString(workDir.resolve("storage.conf"), """
                    [storage]
                    driver = "%2$s"
                    graphroot = "%1$s/graph"
                    runroot = "%1$s/run"
                    """.formatted(workDir, driver));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "podman";
    }

    @Override
    public String runtimeName() {
        return "runc";
    }

    /** Absolute path of the runc podman uses. */
    public Path runtimePath() {
        return runc;
    }

    /** {@value Runc#DEFAULT_STATE_ROOT}: podman (root) gives runc no {@code --root}. */
    @Override
    public Path stateRoot() {
        return Path.of(Runc.DEFAULT_STATE_ROOT);
    }

    @Override
    public Path bundleDir(String id) {
        return containersDir().resolve(id).resolve("userdata");
    }

    /** "overlay" or "vfs". */
    public String storageDriver() {
        return driver;
    }

    public Path graphRoot() {
        return workDir.resolve("graph");
    }

    public Path runRoot() {
        return workDir.resolve("run");
    }

    /** {@code graphRoot()/<driver>-containers}. */
    public Path containersDir() {
        return graphRoot().resolve(driver + "-containers");
    }

    /** containers/storage's container list: id, names, image, metadata. */
    public Path containersJson() {
        return containersDir().resolve("containers.json");
    }

    /** podman's event log (file backend): {@code W/events.log}; never written with the journald backend. */
    public Path eventLog() {
        return workDir.resolve("events.log");
    }

    public Path containersConf() {
        return workDir.resolve("containers.conf");
    }

    public Path storageConf() {
        return workDir.resolve("storage.conf");
    }

    @Override
    List<String> cliProgram() {
        return journald == null ? List.of(podman.toString()) : journald.clientCommand(List.of(podman.toString()));
    }

    @Override
    public Map<String, String> cliEnv() {
        return env;
    }

    @Override
    List<String> forceRemoveArgs(String id) {
        return List.of("rm", "-f", "-t", "0", id);
    }

    /**
     * Starts {@code podman system service --time=0} on {@code W/api.sock} (the Docker-compatible
     * Engine API, event stream included) and returns the socket once it answers; stopped by
     * {@link #close()}.
     */
    public synchronized Path startApiService() {
        Path socket = workDir.resolve("api.sock");
        if (apiService != null) {
            return socket;
        }
        try {
            Files.deleteIfExists(socket); // a stopped service's socket: the next one binds anew
            List<String> cmd = new java.util.ArrayList<>(cliProgram());
            cmd.addAll(List.of("system", "service", "--time=0", "unix://" + socket));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true).redirectOutput(workDir.resolve("api-service.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            apiService = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start podman system service", e);
        }
        long deadline = System.nanoTime() + CLI_TIMEOUT.toNanos();
        while (!ApiPing.ok(socket)) {
            if (!apiService.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("podman system service did not answer /_ping on " + socket + ":\n"
                        + Cmd.read(workDir.resolve("api-service.log")));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return socket;
    }

    /** Stops the API service (the event stream's connections end with it); {@link #startApiService()} starts it again. */
    public synchronized void stopApiService() {
        if (apiService != null) {
            apiService.destroy();
            try {
                if (!apiService.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    apiService.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            apiService = null;
        }
    }

    /** Removes every container, then the storage (unmounting what is left). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            removeAllContainers();
            if (Files.exists(containersConf())) {
                cli(Duration.ofSeconds(60), "rm", "-a", "-f", "-t", "0");
            }
        } catch (RuntimeException e) {
            System.err.println("eunomia-testkit: podman cleanup: " + e.getMessage());
        } finally {
            stopApiService();
            Cleanup.unmountAndDelete(workDir);
            Cleanup.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "Podman[" + workDir + ", driver=" + driver + "]";
    }
}
