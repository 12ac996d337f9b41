package io.eunomia.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A detached runc/crun container started by {@link OciRuntime#start}. {@link #close()} force-deletes
 * it (SIGKILL to every process, state removed) and removes its bundle; it is idempotent.
 */
public final class RunningContainer implements AutoCloseable {
    private final OciRuntime runtime;
    private final String id;
    private final OciBundle bundle;
    private final long pid;
    private boolean deleted;

    RunningContainer(OciRuntime runtime, String id, OciBundle bundle, long pid) {
        this.runtime = runtime;
        this.id = id;
        this.bundle = bundle;
        this.pid = pid;
    }

    public String id() {
        return id;
    }

    /** Host pid of the container's init process (from {@code --pid-file}; same as {@code state}'s "pid"). */
    public long pid() {
        return pid;
    }

    public OciRuntime runtime() {
        return runtime;
    }

    public OciBundle bundle() {
        return bundle;
    }

    /** {@code runtime.stateRoot()/<id>}: what the product finds on disk for this container. */
    public Path stateDir() {
        return runtime.stateRoot().resolve(id);
    }

    /** {@code state ID} JSON from the runtime. */
    public JsonNode state() {
        return runtime.state(id);
    }

    /** True while the init process runs (not a zombie). */
    public boolean isRunning() {
        return Procs.isRunning(pid);
    }

    /** What the container wrote to stdout so far. */
    public String stdout() {
        return Cmd.read(bundle.dir().resolve("stdout.log"));
    }

    public String stderr() {
        return Cmd.read(bundle.dir().resolve("stderr.log"));
    }

    /** Sends a signal to the init process through the runtime ({@code kill ID SIGNAL}). */
    public void kill(String signal) {
        runtime.exec(Duration.ofSeconds(60), "kill", id, signal).orThrow(runtime.name() + " kill " + id);
    }

    /** SIGKILL to the init process. */
    public void kill() {
        kill("KILL");
    }

    /** Force-deletes the container and removes its bundle. */
    public synchronized void delete() {
        if (deleted) {
            return;
        }
        deleted = true;
        runtime.forceDelete(id);
        Procs.awaitExit(pid, 5_000);
        Cleanup.unmountAndDelete(bundle.dir());
        runtime.forget(id);
    }

    @Override
    public void close() {
        delete();
    }

    @Override
    public String toString() {
        return runtime.name() + " container " + id + " (pid " + pid + ")";
    }
}
