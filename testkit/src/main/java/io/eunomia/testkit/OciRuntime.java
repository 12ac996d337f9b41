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
import java.util.regex.Pattern;

/**
 * A low-level OCI runtime (runc or crun) driven directly with bundles the fixture writes.
 *
 * <p>Bundles live in a private temp directory ({@link #workDir()}, one sub-directory per container
 * id: {@code config.json}, {@code rootfs/}, {@code stdout.log}, {@code stderr.log}, {@code init.pid}).
 * The runtime's state directory ({@code --root}) defaults to the runtime's own default
 * ({@code /run/runc}, {@code /run/crun}) because that is where the product discovers containers on a
 * real host; pass another directory to the constructor to isolate it, and tell the product
 * {@link #stateRoot()}. Each container's state is {@code stateRoot()/<id>/} (runc: {@code
 * state.json}; crun: {@code status}, {@code config.json}).
 *
 * <p>Container ids must be unique on the host when the default state root is shared: use
 * {@link #uniqueId(String)}. {@link #close()} force-deletes every container this instance started
 * and removes the bundles, also from a JVM shutdown hook if a test never closed it.
 */
public abstract sealed class OciRuntime implements AutoCloseable permits Runc, Crun {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2); // ~40 ms idle; far longer on a loaded machine

    private final String name;
    private final Path binary;
    private final Path stateRoot;
    private final Path workDir;
    private final Map<String, RunningContainer> running = new LinkedHashMap<>();
    private boolean closed;

    OciRuntime(String name, Path binary, Path stateRoot) {
        this.name = name;
        this.binary = binary;
        this.stateRoot = stateRoot.toAbsolutePath().normalize();
        this.workDir = Cleanup.newTempDir(name);
        Cleanup.register(this);
    }

    /** "runc" or "crun". */
    public String name() {
        return name;
    }

    /** Absolute path of the runtime binary. */
    public Path binary() {
        return binary;
    }

    /** The runtime's {@code --root}: container states live in {@code stateRoot()/<id>/}. */
    public Path stateRoot() {
        return stateRoot;
    }

    /** Private directory holding one bundle directory per container id. */
    public Path workDir() {
        return workDir;
    }

    /** {@code prefix-<random hex>}, safe to use as an id under a shared state root. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()) ^ System.nanoTime());
    }

    /**
     * The complete host command line for a runtime invocation: {@code RUNTIME --root STATE ARGS...},
     * wrapped as this runtime needs (crun on a hybrid cgroup host).
     */
    public List<String> command(List<String> runtimeArgs) {
        List<String> full = new ArrayList<>();
        full.add(binary.toString());
        full.add("--root");
        full.add(stateRoot.toString());
        full.addAll(runtimeArgs);
        return wrap(full);
    }

    abstract List<String> wrap(List<String> commandLine);

    /** Runs a raw runtime command (global {@code --root} added), e.g. {@code exec(timeout, "list")}. */
    public Result exec(Duration timeout, String... runtimeArgs) {
        return Cmd.run(command(List.of(runtimeArgs)), Map.of(), timeout);
    }

    /** Starts a long-running container (e.g. {@code sleep 30}) detached; see {@link #start(String, ContainerSpec)}. */
    public RunningContainer start(String id, List<String> args) {
        return start(id, ContainerSpec.of(args));
    }

    /**
     * Starts a container detached ({@code run --detach --pid-file}); its stdout/stderr go to the
     * bundle's {@code stdout.log}/{@code stderr.log}. Returns once the init process runs.
     */
    public RunningContainer start(String id, ContainerSpec spec) {
        checkId(id);
        Path dir = bundleDir(id);
        OciBundle bundle = OciBundle.create(dir, id, spec);
        Path pidFile = dir.resolve("init.pid");
        Result r;
        try {
            r = Cmd.run(command(List.of("run", "--detach", "--pid-file", pidFile.toString(),
                            "--bundle", dir.toString(), id)),
                    Map.of(), START_TIMEOUT, dir.resolve("stdout.log"), dir.resolve("stderr.log"));
        } catch (RuntimeException e) {
            forceDelete(id);
            Cleanup.unmountAndDelete(dir);
            throw e;
        }
        if (!r.ok() || !Files.exists(pidFile)) {
            String err = Cmd.read(dir.resolve("stderr.log"));
            forceDelete(id);
            Cleanup.unmountAndDelete(dir);
            throw new IllegalStateException(name + " could not start container " + id + " (exit " + r.exitCode()
                    + "): " + err);
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            forceDelete(id);
            throw new IllegalStateException("unreadable pid file " + pidFile, e);
        }
        RunningContainer c = new RunningContainer(this, id, bundle, pid);
        synchronized (this) {
            running.put(id, c);
        }
        return c;
    }

    /** Runs a container to completion in the foreground; see {@link #run(String, ContainerSpec, Duration)}. */
    public Result run(String id, List<String> args, Duration timeout) {
        return run(id, ContainerSpec.of(args), timeout);
    }

    /**
     * Runs a container in the foreground ({@code run --bundle DIR ID}) and returns its exit code and
     * output. The runtime deletes the container when it exits; the bundle is removed afterwards. On
     * timeout the container is force-deleted and an exception thrown.
     */
    public Result run(String id, ContainerSpec spec, Duration timeout) {
        checkId(id);
        Path dir = bundleDir(id);
        OciBundle.create(dir, id, spec);
        try {
            return Cmd.run(command(List.of("run", "--bundle", dir.toString(), id)), Map.of(), timeout).withId(id);
        } finally {
            if (Files.exists(stateRoot.resolve(id))) {
                forceDelete(id);
            }
            Cleanup.unmountAndDelete(dir);
        }
    }

    /**
     * A container whose process lives ~50 ms: {@code sh -c 'cat /etc/hostname; sleep 0.05'} (stdout is
     * its hostname, the id).
     */
    public Result runShortLived(String id) {
        return run(id, ContainerSpec.of("sh", "-c", "cat /etc/hostname; sleep 0.05"), Duration.ofMinutes(2));
    }

    /** {@code state ID} as JSON (fields {@code id, pid, status, bundle, ...}). */
    public JsonNode state(String id) {
        Result r = exec(Duration.ofSeconds(60), "state", id).orThrow(name + " state " + id);
        try {
            return OciBundle.JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the runtime has state for {@code id} under {@link #stateRoot()}. */
    public boolean exists(String id) {
        return Files.exists(stateRoot.resolve(id));
    }

    Path bundleDir(String id) {
        return workDir.resolve(id);
    }

    void forceDelete(String id) {
        try {
            exec(Duration.ofSeconds(60), "delete", "--force", id);
        } catch (RuntimeException e) {
            System.err.println("eunomia-testkit: " + name + " delete --force " + id + ": " + e.getMessage());
        }
    }

    synchronized void forget(String id) {
        running.remove(id);
    }

    private static void checkId(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid container id: " + id);
        }
    }

    /** Force-deletes every container still running from this instance and removes the bundles. */
    @Override
    public void close() {
        List<RunningContainer> left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            left = new ArrayList<>(running.values());
        }
        for (RunningContainer c : left) {
            c.close();
        }
        Cleanup.unmountAndDelete(workDir);
        Cleanup.unregister(this);
    }

    @Override
    public String toString() {
        return name + "[root=" + stateRoot + ", bundles=" + workDir + "]";
    }
}
