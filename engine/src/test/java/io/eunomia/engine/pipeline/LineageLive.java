package io.eunomia.engine.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up of the live tests of lineage rules (Falco's stable file, the default pack's lineage
 * rules): the helper programs of {@link LiveProcesses#lineagePrograms} in a fresh directory and one
 * live monitor for the class started after them (LiveRig).
 */
final class LineageLive extends LiveRig {
    private final String prefix;
    private final MonitorStart monitor;
    private Path dir;

    /** @param prefix the temporary directory's name prefix (e.g. "eunomia-falco-") */
    LineageLive(String prefix, MonitorStart monitor) {
        this.prefix = prefix;
        this.monitor = monitor;
    }

    @Override
    void open(ExtensionContext context) throws Exception {
        dir = LiveProcesses.lineagePrograms(prefix);
        watch(monitor);
    }

    @Override
    void close() throws Exception {
        LiveProcesses.deleteTree(dir);
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
