package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.TestEvents.T0;
import static io.eunomia.engine.pipeline.TestEvents.WEB;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SocketFamily;
import io.eunomia.event.SocketType;
import io.eunomia.event.StreamKind;
import io.eunomia.rules.RuleBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The temporal edges of 50-sequences.drl that a live test cannot reach in seconds: the 10 s window,
 * the 1 h memory of drift candidates and the per-container cap, on the event-time clock. (Each
 * rule's live positive and negative are in ProcessNetworkPackLiveTest.)
 */
class SequenceRulesTest {
    private static final long S = 1_000_000_000L;
    private static final String DRIFT = "Drift detected: exec of a file written in the container";
    private static final String SHELL_NET = "Shell in container then outbound connection";
    private static final String MEMFD = "Fileless execution via memfd";
    private static final ContainerInfo DB = new ContainerInfo("b".repeat(64), "db", "postgres:16", "docker", "", "");
    private static RuleBase pack;

    @BeforeAll
    static void load() throws Exception {
        pack = new RuleLoader(List.of(), true).load();
    }

    private static List<String> run(List<Event> events) throws Exception {
        return TestEvents.replay(pack, events).stream().map(Alert::rule)
                .filter(r -> r.equals(DRIFT) || r.equals(SHELL_NET) || r.equals(MEMFD)).toList();
    }

    private static ProcessInfo proc(int pid, int ppid, String comm, ContainerInfo c) {
        return new ProcessInfo(pid, pid, ppid, 0, 0, 0, 0, comm, 4026532001L, 7, 4026532002L, 9, c);
    }

    private static ExecEvent exec(long t, int pid, int ppid, ContainerInfo c, String exe, String... argv) {
        String comm = exe.substring(exe.lastIndexOf('/') + 1);
        return new ExecEvent(t, proc(pid, ppid, comm, c), pid, exe, List.of(argv), argv.length, false, "",
                StreamKind.PIPE, StreamKind.PIPE, StreamKind.PIPE, 0);
    }

    private static NetEvent connect(long t, int pid, int ppid, String comm, String ip) {
        return new NetEvent(t, proc(pid, ppid, comm, WEB), NetOp.CONNECT, "connect", 3, SocketFamily.INET,
                SocketType.STREAM, 6, "10.0.0.2", 40000, ip, 443, 0, 0);
    }

    private static FileEvent write(long t, ContainerInfo c, String path) {
        return new FileEvent(t, proc(50, 1, "curl", c), FileOp.OPEN, "openat", path, "", 0101 | 01000, 0755, -1, -1, 3, true);
    }

    @Test
    void shellThenConnectionCountsWithin10sFromTheShellOrAChildOnly() throws Exception {
        ExecEvent shell = exec(T0, 100, 1, WEB, "/bin/bash", "bash");
        assertThat(run(List.of(shell, exec(T0 + S, 101, 100, WEB, "/usr/bin/curl", "curl", "http://x"),
                connect(T0 + 9 * S, 101, 100, "curl", "203.0.113.7")))).containsExactly(SHELL_NET);
        // Too late, loopback, a grandchild, a script shell (the entrypoint form): nothing.
        assertThat(run(List.of(shell, connect(T0 + 11 * S, 101, 100, "curl", "203.0.113.7")))).isEmpty();
        assertThat(run(List.of(shell, connect(T0 + S, 100, 1, "bash", "127.0.0.1")))).isEmpty();
        assertThat(run(List.of(shell, connect(T0 + S, 102, 101, "curl", "203.0.113.7")))).isEmpty();
        assertThat(run(List.of(exec(T0, 100, 1, WEB, "/bin/sh", "sh", "-c", "curl http://x"),
                connect(T0 + S, 100, 1, "curl", "203.0.113.7")))).isEmpty();
    }

    /**
     * A sibling of the shell (the mkfifo reverse shell's nc) is linked only when their common parent is a
     * shell: under a container's init or any other program starting both, every service would be the
     * shell's sibling.
     */
    @Test
    void aSiblingCountsOnlyUnderAShellParent() throws Exception {
        ExecEvent underSh = new ExecEvent(T0, new ProcessInfo(100, 100, 90, 0, 0, 0, 0, "sh", "sh", 4026532001L, 7,
                4026532002L, 9, WEB), 100, "/bin/sh", List.of("sh", "-i"), 2, false, "", StreamKind.PIPE, StreamKind.PIPE,
                StreamKind.PIPE, 0);
        assertThat(run(List.of(underSh, connect(T0 + S, 101, 90, "nc", "203.0.113.7")))).containsExactly(SHELL_NET);
        for (String parent : List.of("tini", "supervisord", "s6-supervise", "containerd-shim", "find")) {
            ExecEvent shell = underSh.withProcess(new ProcessInfo(100, 100, 90, 0, 0, 0, 0, "sh", parent, 4026532001L, 7,
                    4026532002L, 9, WEB));
            // the shell's own connection still counts: the pipeline has processed the sibling's before it
            assertThat(run(List.of(shell, connect(T0 + S, 101, 90, "nc", "203.0.113.7"),
                    connect(T0 + 2 * S, 100, 90, "sh", "203.0.113.8")))).as(parent).containsExactly(SHELL_NET);
        }
    }

    @Test
    void driftNeedsAWriteInTheSameContainerBeforeTheExecAndWithinAnHour() throws Exception {
        assertThat(run(List.of(write(T0, WEB, "/usr/local/bin/x"), exec(T0 + S, 60, 1, WEB, "/usr/local/bin/x", "x"))))
                .containsExactly(DRIFT);
        // Written in another container; executed before it was written; a read-only open; an hour later.
        assertThat(run(List.of(write(T0, DB, "/usr/local/bin/x"), exec(T0 + S, 60, 1, WEB, "/usr/local/bin/x", "x"))))
                .isEmpty();
        assertThat(run(List.of(exec(T0, 60, 1, WEB, "/usr/local/bin/x", "x"), write(T0 + S, WEB, "/usr/local/bin/x"))))
                .isEmpty();
        FileEvent read = new FileEvent(T0, proc(50, 1, "cat", WEB), FileOp.OPEN, "openat", "/usr/local/bin/x", "", 0, -1,
                -1, -1, 3, true);
        assertThat(run(List.of(read, exec(T0 + S, 60, 1, WEB, "/usr/local/bin/x", "x")))).isEmpty();
        assertThat(run(List.of(write(T0, WEB, "/usr/local/bin/x"), exec(T0 + 3601 * S, 60, 1, WEB, "/usr/local/bin/x", "x"))))
                .isEmpty();
    }

    @Test
    void driftMemoryIsCappedPerContainer() throws Exception {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            events.add(write(T0 + i, WEB, "/cache/f" + i));
        }
        events.add(write(T0 + 2000, WEB, "/tmp/late"));      // over the cap: not remembered
        events.add(write(T0 + 2001, DB, "/tmp/late"));       // another container has its own budget
        events.add(exec(T0 + S, 60, 1, WEB, "/tmp/late", "late"));
        events.add(exec(T0 + S, 61, 1, DB, "/tmp/late", "late"));
        events.add(exec(T0 + S, 62, 1, WEB, "/cache/f7", "f7"));
        assertThat(run(events)).containsExactly(DRIFT, DRIFT);
    }

    /**
     * runc (1.0, and 1.1 when it cannot bind-mount a clone) re-executes itself from a memfd named
     * runc_cloned:/proc/self/exe on every container start and exec; runc 1.1.5 here uses the
     * bind-mount clone (exe "/"), so the live test cannot show this exception: the event can.
     */
    @Test
    void runcsOwnMemfdCloneIsNotFilelessExecution() throws Exception {
        ContainerInfo host = ContainerInfo.HOST;
        assertThat(run(List.of(exec(T0, 70, 1, host, "memfd:runc_cloned:/proc/self/exe", "runc", "init"),
                exec(T0 + 1, 71, 1, host, "memfd:x (deleted)", "x")))).containsExactly(MEMFD);
    }
}
