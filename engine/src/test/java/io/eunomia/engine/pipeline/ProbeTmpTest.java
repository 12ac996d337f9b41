package io.eunomia.engine.pipeline;

import io.eunomia.event.*;
import io.eunomia.rules.*;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeTmpTest {
    @Test
    void probe() throws Exception {
        RuleBase base = RuleCompiler.compile(DefaultPack.sources());
        var WEB = new ContainerInfo("b".repeat(64), "web", "nginx:1", "docker", "", "");
        var proc = new ProcessInfo(1000, 1000, 1, 1000, 1000, 1000, 1000, "java", 4026531841L, 2, 4026531836L, 1, WEB);
        long now = System.currentTimeMillis() * 1_000_000L;
        List<Event> evs = List.of(
            new FileEvent(now, proc, FileOp.OPEN, "openat", "/usr/lib/x86_64-linux-gnu/libc.so.1", "", 0, 0, -1, -1, 3, true),
            new NetEvent(now, proc, NetOp.CONNECT, "connect", 3, SocketFamily.INET, SocketType.STREAM, 6, "10.0.0.2", 40000, "10.0.0.9", 443, 0, 0),
            new ExecEvent(now, proc, 1000, "/usr/bin/make", List.of("make", "-j2"), 2, false, "", StreamKind.PIPE, StreamKind.PIPE, StreamKind.PIPE, 0));
        var session = base.kieBase().newKieSession();
        session.setGlobal("alerts", (AlertSink) (c, e) -> {});
        for (Event e : evs) {
            var h = (org.drools.core.common.InternalFactHandle) session.insert(e);
            session.fireAllRules();
            System.out.println("EV " + e.type());
            h.forEachLeftTuple(t -> System.out.println("  L " + t.getSink() + " " + java.util.Arrays.stream(((org.drools.core.common.BaseNode) t.getSink()).getAssociatedRules()).map(x -> x.getName()).toList()));
            h.forEachRightTuple(t -> System.out.println("  R " + t.getSink() + " " + java.util.Arrays.stream(((org.drools.core.common.BaseNode) t.getSink()).getAssociatedRules()).map(x -> x.getName()).toList()));
        }
    }
}
