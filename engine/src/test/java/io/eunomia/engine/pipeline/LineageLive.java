package io.eunomia.engine.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The set-up of the live tests of lineage rules (Falco's stable file, the default pack's lineage
 * rules): ProgramsLive with rules-pack2's ptrace-attach and packet-socket, and programs named as
 * Falco's lists name servers ({@link LiveProcesses#serverLookalikes}).
 */
final class LineageLive extends ProgramsLive {
    /** @param prefix the temporary directory's name prefix (e.g. "eunomia-falco-") */
    LineageLive(String prefix, MonitorStart monitor) {
        super(prefix, monitor, "/rules-pack2/ptrace-attach.c", "/rules-pack2/packet-socket.c");
    }

    @Override
    void prepare(Path work) throws Exception {
        LiveProcesses.serverLookalikes(work);
    }

    /** ptrace-attach (rules-pack2/ptrace-attach.c). */
    Path ptraceHelper() {
        return program("ptrace-attach");
    }

    /** packet-socket: opens an AF_PACKET socket; with "linger" only stays two seconds. */
    Path packetHelper() {
        return program("packet-socket");
    }

    /** The pids of the bulk-removal rules' acts: the negative first, then the positive. */
    record RmAndShred(long rm, long shred) {}

    /** rm of one file (not bulk removal), then shred -u of another (bulk removal). */
    RmAndShred rmThenShred() throws Exception {
        Files.writeString(work().resolve("a"), "x");
        Files.writeString(work().resolve("b"), "x");
        long rm = LiveProcesses.run("rm", work().resolve("a").toString());
        return new RmAndShred(rm, LiveProcesses.run("shred", "-u", work().resolve("b").toString()));
    }
}
