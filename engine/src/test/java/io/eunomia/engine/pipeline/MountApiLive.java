package io.eunomia.engine.pipeline;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up of the live mount tests (the new mount API, sensitive mounts): a work directory below
 * /tmp that a container may read, with the mount-API program (test resource mount-api/mountapi.c)
 * built in it, and the class's lease of a shared monitor, each test's start marked on it; the lease
 * given back and the directory removed after the class (after the class's own @AfterAll, which may
 * still use the directory). Register it as a static {@code @RegisterExtension} field.
 */
final class MountApiLive implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final String prefix;
    private final LineageLive.MonitorStart monitor;
    private Path work;
    private Path mountapi;
    private LiveMonitor live;

    /** @param prefix the work directory's name prefix; monitor: the class's lease */
    MountApiLive(String prefix, LineageLive.MonitorStart monitor) {
        this.prefix = prefix;
        this.monitor = monitor;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        work = LiveProcesses.readableTempDir(Path.of("/tmp"), prefix);
        mountapi = LiveProcesses.compile(work, "/mount-api/mountapi.c", "mountapi");
        live = monitor.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            LiveMonitor.close(live);
        } finally {
            LiveProcesses.deleteTree(work);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        live.markTestStart();
    }

    /** The work directory. */
    Path work() {
        return work;
    }

    /** The mount-API program: mountapi tmpfs|bind|ro|rw|move|fs ... (see mount-api/mountapi.c). */
    Path mountapi() {
        return mountapi;
    }

    LiveMonitor live() {
        return live;
    }
}
