package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetInterest;
import io.eunomia.event.NetOp;
import io.eunomia.testkit.Recorder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's net filter as monitor sets it from the rules: with rules about outbound connects
 * only, a loopback connect and its accept stay in the kernel; a reload that adds a rule on loopback
 * gets them at once, and a reload that fails to compile keeps the filter it had; a rule on loopback
 * connects to one port gets those, and a loopback connect to another port stays in the kernel. One
 * child process, watched alone (a pid filter), connects as the test tells it on stdin.
 */
class NetFilterLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    /** TEST-NET-1 (RFC 5737): a UDP connect there needs no peer and sends nothing. */
    private static final String OUTSIDE = "192.0.2.1";
    private static final String OUTBOUND = """
            - rule: Outbound
              desc: a connect that does not stay on this host
              condition: evt.type = connect and not fd.rip startswith "127." and fd.rip != "::1"
              output: outbound (to=%fd.rip)
              priority: WARNING
            """;

    private Process child;
    private BufferedReader replies;

    /**
     * "lo": a TCP connect to the child's own listener on 127.0.0.1, accepted; "lo2": the same to its
     * second listener, whose port it prints first; "out": a UDP connect to OUTSIDE.
     */
    private void act(String what) throws Exception {
        child.getOutputStream().write((what + "\n").getBytes(StandardCharsets.UTF_8));
        child.getOutputStream().flush();
        assertThat(replies.readLine()).isEqualTo("ok");
    }

    /** The child's UDP connect to OUTSIDE, acted after the mark; its alert is the barrier. */
    private void outboundBarrier(InMemoryOutput out, long pid) throws Exception {
        Recorder.Mark before = out.mark();
        act("out");
        out.awaitAfter(before, "Outbound", a -> a.event() instanceof NetEvent n && n.process().pid() == pid
                && n.remoteAddr().equals(OUTSIDE), WAIT);
    }

    @Test
    void loopbackConnectsNoRuleReadsStayInTheKernelUntilAReloadAsksForThem(@TempDir Path tmp) throws Exception {
        Path rules = Files.createDirectory(tmp.resolve("rules"));
        Files.writeString(rules.resolve("outbound.yaml"), OUTBOUND);
        child = new ProcessBuilder("python3", "-c", """
                import socket, sys
                srv = socket.socket()
                srv.bind(('127.0.0.1', 0))
                srv.listen(8)
                srv2 = socket.socket()
                srv2.bind(('127.0.0.1', 0))
                srv2.listen(8)
                print(srv2.getsockname()[1], flush=True)
                for line in iter(sys.stdin.readline, ''):
                    if line.strip() in ('lo', 'lo2'):
                        s = srv if line.strip() == 'lo' else srv2
                        c = socket.create_connection(s.getsockname())
                        a, _ = s.accept()
                        a.close()
                        c.close()
                    else:
                        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        try:
                            u.connect(('%s', 9))
                        except OSError:
                            pass
                        u.close()
                    print('ok', flush=True)
                """.formatted(OUTSIDE)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        replies = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        int wantedPort = Integer.parseInt(replies.readLine());
        long pid = child.pid();
        InMemoryOutput out = new InMemoryOutput();
        List<NetEvent> loopback = new CopyOnWriteArrayList<>();
        try (Monitor m = Monitor.start(new RuleLoader(List.of(rules), false), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withPid((int) pid))) {
            assertThat(m.startup().netEvents().describe()).isEqualTo("connect:not-loopback");
            m.sensors().subscribe(e -> e instanceof NetEvent n && NetInterest.loopback(n), e -> loopback.add((NetEvent) e));

            // The loopback connect and accept come before the outbound connect in the same stream:
            // once its alert is here, they would have reached the subscriber had the kernel let them through.
            long filteredBefore = m.sensors().netEventsFiltered();
            act("lo");
            outboundBarrier(out, pid);
            assertThat(loopback).isEmpty();
            assertThat(m.sensors().netEventsFiltered() - filteredBefore).isGreaterThanOrEqualTo(2);

            // A rule on loopback connects and accepts, added by a reload: they arrive.
            Files.writeString(rules.resolve("local.yaml"), """
                    - rule: Local
                      desc: a connection on this host
                      condition: evt.type in (connect, accept) and fd.rip startswith "127."
                      output: local %evt.type (peer=%fd.rip)
                      priority: NOTICE
                    """);
            RuleReloader.Result r = m.reloader().reload("test").get();
            assertThat(r.ok()).as("%s", r.errors()).isTrue();
            assertThat(r.rules().netEvents().loopback()).contains(NetOp.CONNECT, NetOp.ACCEPT);
            Recorder.Mark before = out.mark();
            act("lo");
            awaitLocal(out, before, pid, NetOp.CONNECT);
            awaitLocal(out, before, pid, NetOp.ACCEPT);

            // A reload that does not compile keeps the rules and the filter as they were.
            Files.writeString(rules.resolve("broken.yaml"), "- rule: Broken\n  condition: evt.type = = connect\n");
            assertThat(m.reloader().reload("test").get().ok()).isFalse();
            before = out.mark();
            act("lo");
            awaitLocal(out, before, pid, NetOp.CONNECT);

            // The loopback rule dropped again: so are the loopback connects.
            Files.delete(rules.resolve("broken.yaml"));
            Files.delete(rules.resolve("local.yaml"));
            assertThat(m.reloader().reload("test").get().ok()).isTrue();
            int seen = loopback.size();
            act("lo");
            outboundBarrier(out, pid);
            assertThat(loopback).hasSize(seen);

            // A rule on loopback connects to one port (the second listener's): the kernel keeps back a
            // loopback connect to another port (the first listener's) before building its record.
            Files.writeString(rules.resolve("port.yaml"), """
                    - rule: LocalPort
                      desc: a connection on this host to one port
                      condition: evt.type = connect and fd.rip startswith "127." and fd.dport = %d
                      output: local port (port=%%fd.dport)
                      priority: NOTICE
                    """.formatted(wantedPort));
            r = m.reloader().reload("test").get();
            assertThat(r.ok()).as("%s", r.errors()).isTrue();
            assertThat(r.rules().netEvents().describe()).isEqualTo("connect:not-loopback,connect:loopback[" + wantedPort + "]");
            seen = loopback.size();
            long filtered = m.sensors().netEventsFiltered();
            before = out.mark();
            act("lo");
            act("lo2");
            // lo2's connect follows lo's in the same thread: once its alert is here, lo's would have reached the subscriber.
            out.awaitAfter(before, "LocalPort", a -> a.event() instanceof NetEvent n && n.process().pid() == pid
                    && n.op() == NetOp.CONNECT && n.remotePort() == wantedPort, WAIT);
            assertThat(loopback.subList(seen, loopback.size())).as("loopback events after the port rule")
                    .allMatch(n -> n.op() == NetOp.CONNECT && n.remotePort() == wantedPort);
            // lo's connect (by its port) and both accepts (no rule reads accepts)
            assertThat(m.sensors().netEventsFiltered() - filtered).isGreaterThanOrEqualTo(3);
        } finally {
            child.destroyForcibly();
        }
    }

    private static Alert awaitLocal(InMemoryOutput out, Recorder.Mark after, long pid, NetOp op) throws InterruptedException {
        return out.awaitAfter(after, "Local", a -> a.event() instanceof NetEvent n && n.process().pid() == pid
                && n.op() == op && n.remoteAddr().equals("127.0.0.1"), WAIT);
    }
}
