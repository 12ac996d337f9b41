package io.eunomia.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A detached podman or docker container. {@link #close()} force-removes it ({@code rm -f}); it is
 * idempotent.
 *
 * @see ContainerEngine#start(String, Map, java.util.List, java.util.List)
 */
public final class EngineContainer implements AutoCloseable {
    private final ContainerEngine engine;
    private final String id;
    private final String name;
    private final String image;
    private final long pid;
    private final Map<String, String> labels;
    private boolean removed;

    EngineContainer(ContainerEngine engine, String id, String name, String image, long pid, Map<String, String> labels) {
        this.engine = engine;
        this.id = id;
        this.name = name;
        this.image = image;
        this.pid = pid;
        this.labels = labels;
    }

    /** Full 64-hex container id. */
    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** Image name it was started from. */
    public String image() {
        return image;
    }

    /** Host pid of the container's init ({@code inspect .State.Pid}). */
    public long pid() {
        return pid;
    }

    /** Labels given at start. */
    public Map<String, String> labels() {
        return labels;
    }

    public ContainerEngine engine() {
        return engine;
    }

    /** Fresh {@code inspect} JSON. */
    public JsonNode inspect() {
        return engine.inspect(id);
    }

    /** True while the init process runs (not a zombie). */
    public boolean isRunning() {
        return Procs.isRunning(pid);
    }

    /** Force-removes the container. */
    public synchronized void remove() {
        if (!removed) {
            removed = true;
            engine.removeContainer(this);
            Procs.awaitExit(pid, 5_000);
        }
    }

    @Override
    public void close() {
        remove();
    }

    @Override
    public String toString() {
        return engine.name() + " container " + name + " " + id + " (pid " + pid + ")";
    }
}
