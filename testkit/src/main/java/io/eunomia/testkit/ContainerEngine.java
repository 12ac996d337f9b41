package io.eunomia.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What podman and dockerd fixtures share: a private directory, an image imported from the busybox
 * rootfs tarball, and the docker-compatible CLI ({@code run}, {@code inspect}, {@code rm}). Every
 * container gets {@code --network none}.
 */
public abstract sealed class ContainerEngine implements AutoCloseable permits Podman, Dockerd {
    static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

    final Path workDir;
    private String image;
    private final Map<String, EngineContainer> containers = new LinkedHashMap<>();
    private final List<String> keptIds = new ArrayList<>();
    boolean closed;

    ContainerEngine(Path workDir) {
        this.workDir = workDir;
    }

    /** "podman" or "docker". */
    public abstract String name();

    /** Name of the OCI runtime that runs the containers ("runc"). */
    public abstract String runtimeName();

    /** The {@code --root} that engine passes to its OCI runtime: state in {@code stateRoot()/<id>/state.json}. */
    public abstract Path stateRoot();

    /** The OCI bundle directory of a container (holds the {@code config.json} the runtime got). */
    public abstract Path bundleDir(String id);

    /** The CLI program and its environment (e.g. DOCKER_HOST, CONTAINERS_CONF). */
    abstract List<String> cliProgram();

    /** Environment for the CLI. */
    public abstract Map<String, String> cliEnv();

    /** Arguments of the CLI's force-remove of one container, without the program. */
    abstract List<String> forceRemoveArgs(String id);

    /** Private directory of this fixture (everything it creates lives below). */
    public Path workDir() {
        return workDir;
    }

    /** The image name containers run from unless a test imports another. */
    public String image() {
        return image;
    }

    /** Runs the CLI with the fixture's environment. */
    public Result cli(Duration timeout, String... args) {
        return cli(List.of(args), timeout);
    }

    public Result cli(List<String> args, Duration timeout) {
        List<String> cmd = new ArrayList<>(cliProgram());
        cmd.addAll(args);
        return Cmd.run(cmd, cliEnv(), timeout);
    }

    /** {@code import TARBALL NAME}; returns the image id. */
    public String importImage(Path tarball, String name) {
        return importImage(tarball, name, Map.of());
    }

    /**
     * {@code import --change "LABEL K=V"... TARBALL NAME}: an image whose config carries labels (Docker
     * and podman copy them into its containers' labels); returns the image id.
     */
    public String importImage(Path tarball, String name, Map<String, String> labels) {
        List<String> args = new ArrayList<>(List.of("import"));
        labels.forEach((k, v) -> args.addAll(List.of("--change", "LABEL " + k + "=" + v)));
        args.addAll(List.of(tarball.toString(), name));
        Result r = cli(args, CLI_TIMEOUT).orThrow(name() + " import " + name);
        String[] lines = r.stdout().strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    /**
     * Imports the root file system in dir (tarred with numeric owners; hard links stay links) as
     * image name, from now on the image containers run from.
     */
    public void importRootfsAsDefault(Path dir, String name) {
        Path tarball = workDir.resolve("rootfs-" + OciRuntime.uniqueId("import") + ".tar");
        try {
            Cmd.run(List.of(Binaries.require("tar", "tar").toString(), "--numeric-owner", "-C", dir.toString(), "-cf",
                    tarball.toString(), "."), Map.of(), CLI_TIMEOUT).orThrow("tar of " + dir);
            importImage(tarball, name);
            this.image = name;
        } finally {
            try {
                Files.deleteIfExists(tarball);
            } catch (IOException e) {
                System.err.println("eunomia-testkit: " + e);
            }
        }
    }

    void importDefaultImage(String name) {
        importImage(BusyboxRootfs.get().tarball(), name);
        this.image = name;
    }

    /** Starts {@code args} detached; see {@link #start(String, Map, List, List)}. */
    public EngineContainer start(String name, Map<String, String> labels, List<String> args) {
        return start(name, labels, args, List.of());
    }

    /**
     * {@code run -d --name NAME --network none --label K=V... OPTIONS... IMAGE ARGS...}; returns the
     * full 64-hex id and host pid of the container's init. {@code runOptions} go before the image
     * (e.g. {@code --security-opt seccomp=FILE}).
     */
    public EngineContainer start(String name, Map<String, String> labels, List<String> args, List<String> runOptions) {
        return startFrom(image, name, labels, args, runOptions);
    }

    /** As {@link #start(String, Map, List, List)}, from another image than the default one. */
    public EngineContainer startFrom(String fromImage, String name, Map<String, String> labels, List<String> args,
                                     List<String> runOptions) {
        List<String> cmd = runCommand(fromImage, name, labels, runOptions, true, null);
        cmd.addAll(args);
        Result r = cli(cmd, CLI_TIMEOUT);
        if (!r.ok()) {
            cli(forceRemoveArgs(name), CLI_TIMEOUT);
            r.orThrow(name() + " run -d " + name);
        }
        String[] lines = r.stdout().strip().split("\n");
        String id = lines[lines.length - 1].strip();
        long pid;
        try {
            pid = inspect(id).at("/State/Pid").asLong();
        } catch (RuntimeException e) {
            cli(forceRemoveArgs(id), CLI_TIMEOUT);
            throw e;
        }
        EngineContainer c = new EngineContainer(this, id, name, fromImage, pid, Map.copyOf(labels));
        synchronized (this) {
            containers.put(id, c);
        }
        return c;
    }

    /** Runs to completion; see {@link #run(String, Map, List, boolean, Duration, List)}. */
    public Result run(String name, Map<String, String> labels, List<String> args, boolean rm, Duration timeout) {
        return run(name, labels, args, rm, timeout, List.of());
    }

    /**
     * {@code run [--rm] --cidfile F --name NAME --network none --label... OPTIONS... IMAGE ARGS...} in
     * the foreground: the result has the full container id, its exit code and output. Without
     * {@code rm} the exited container stays (inspectable) until {@link #close()}.
     */
    public Result run(String name, Map<String, String> labels, List<String> args, boolean rm, Duration timeout,
                      List<String> runOptions) {
        Path cidFile = workDir.resolve("cid-" + OciRuntime.uniqueId(name));
        List<String> cmd = runCommand(this.image, name, labels, runOptions, false, cidFile);
        if (rm) {
            cmd.add(1, "--rm");
        }
        cmd.addAll(args);
        Result r;
        try {
            r = cli(cmd, timeout);
        } catch (RuntimeException e) {
            cli(forceRemoveArgs(name), CLI_TIMEOUT);
            throw e;
        }
        String id = null;
        try {
            if (Files.exists(cidFile)) {
                id = Files.readString(cidFile).strip();
                Files.delete(cidFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!rm && id != null) {
            synchronized (this) {
                keptIds.add(id);
            }
        }
        return r.withId(id);
    }

    /**
     * A container whose process lives ~50 ms ({@code sh -c 'cat /etc/hostname; sleep 0.05'}), removed
     * when it exits ({@code --rm}).
     */
    public Result runShortLived(String name) {
        return runShortLived(name, true);
    }

    /** As {@link #runShortLived(String)}; with {@code rm=false} the exited container is kept until close. */
    public Result runShortLived(String name, boolean rm) {
        return run(name, Map.of(), List.of("sh", "-c", "cat /etc/hostname; sleep 0.05"), rm, CLI_TIMEOUT);
    }

    /** {@code inspect ID} (the first element of the array). */
    public JsonNode inspect(String idOrName) {
        Result r = cli(CLI_TIMEOUT, "inspect", idOrName).orThrow(name() + " inspect " + idOrName);
        try {
            return OciBundle.JSON.readTree(r.stdout()).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> runCommand(String fromImage, String name, Map<String, String> labels, List<String> runOptions,
                                    boolean detach, Path cidFile) {
        if (fromImage == null) {
            throw new IllegalStateException("no image imported");
        }
        List<String> cmd = new ArrayList<>(List.of("run"));
        if (detach) {
            cmd.add("-d");
        }
        if (cidFile != null) {
            cmd.add("--cidfile");
            cmd.add(cidFile.toString());
        }
        cmd.addAll(List.of("--name", name, "--network", "none"));
        labels.forEach((k, v) -> {
            cmd.add("--label");
            cmd.add(k + "=" + v);
        });
        cmd.addAll(runOptions);
        cmd.add(fromImage);
        return cmd;
    }

    void removeContainer(EngineContainer c) {
        Result r = cli(forceRemoveArgs(c.id()), CLI_TIMEOUT);
        if (!r.ok() && !r.stderr().toLowerCase().contains("no such container")) {
            System.err.println("eunomia-testkit: " + name() + " rm -f " + c.id() + ": " + r.stderr());
        }
        synchronized (this) {
            containers.remove(c.id());
        }
    }

    /** Force-removes every container this fixture started or kept. */
    void removeAllContainers() {
        List<EngineContainer> left;
        List<String> kept;
        synchronized (this) {
            left = new ArrayList<>(containers.values());
            kept = new ArrayList<>(keptIds);
            keptIds.clear();
        }
        for (EngineContainer c : left) {
            c.close();
        }
        for (String id : kept) {
            cli(forceRemoveArgs(id), CLI_TIMEOUT);
        }
    }
}
