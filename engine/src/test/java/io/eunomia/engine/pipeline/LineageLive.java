package io.eunomia.engine.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up of the live tests of lineage rules (Falco's stable file, the default pack's lineage
 * rules): the helper programs of {@link LiveProcesses#lineagePrograms} in a fresh directory and one
 * live monitor for the class, each test's start marked on it; both removed after the class.
 * Register it as a static {@code @RegisterExtension} field.
 */
final class LineageLive implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    /** Starts the class's monitor (its rules differ per test class). */
    interface MonitorStart {
        LiveMonitor start() throws Exception;
    }

    private final String prefix;
    private final MonitorStart monitor;
    private Path dir;
    private LiveMonitor live;

    /** @param prefix the temporary directory's name prefix (e.g. "eunomia-falco-") */
    LineageLive(String prefix, MonitorStart monitor) {
        this.prefix = prefix;
        this.monitor = monitor;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = LiveProcesses.lineagePrograms(prefix);
        live = monitor.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        LiveMonitor.close(live);
        LiveProcesses.deleteTree(dir);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        live.markTestStart();
    }

    /** The helper programs' directory. */
    Path dir() {
        return dir;
    }

    /** ptrace-attach (rules-pack2/ptrace-attach.c). */
    Path ptraceHelper() {
        return dir.resolve("ptrace-attach");
    }

    /** packet-socket: opens an AF_PACKET socket; with "linger" only stays two seconds. */
    Path packetHelper() {
        return dir.resolve("packet-socket");
    }

    LiveMonitor live() {
        return live;
    }

    /** The pids of the bulk-removal rules' acts: the negative first, then the positive. */
    record RmAndShred(long rm, long shred) {}

    /** rm of one file (not bulk removal), then shred -u of another (bulk removal). */
    RmAndShred rmThenShred() throws Exception {
        Files.writeString(dir.resolve("a"), "x");
        Files.writeString(dir.resolve("b"), "x");
        long rm = LiveProcesses.run("rm", dir.resolve("a").toString());
        return new RmAndShred(rm, LiveProcesses.run("shred", "-u", dir.resolve("b").toString()));
    }
}
