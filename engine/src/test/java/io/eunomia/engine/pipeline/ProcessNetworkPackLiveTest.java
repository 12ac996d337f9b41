package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.Recorder;
import io.eunomia.event.ExecEvent;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The default pack's process, network and sequence rules (10-process.yaml, 20-network.yaml,
 * 50-sequences.drl) on real events: the whole default pack runs in a live monitor while real
 * processes on the host and in runc busybox containers do the thing (positive) and its look-alikes
 * (negative). Each test does its negatives first and its positive last: once the positive alert
 * arrives, the negatives' events (earlier in the same stream) have been through the session.
 */
@SharesLiveMonitor
class ProcessNetworkPackLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    private static Path work;
    private static Path probe;
    private static InMemoryOutput out;
    private static LiveMonitor live;
    /** The containers are shared: each test looks only at the alerts raised after it began. */
    private static Recorder.Mark testStart;
    private static Runc runc;
    /** Own network namespace (lo down): connects fail at once, nothing leaves the host. */
    private static RunningContainer iso;
    /** The host's network namespace, for reverse shells over 127.0.0.1. */
    private static RunningContainer hostnet;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("eunomia-pack1-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path src = work.resolve("probe.c");
        try (InputStream in = ProcessNetworkPackLiveTest.class.getResourceAsStream("/io/eunomia/engine/pack/probe.c")) {
            Files.copy(in, src);
        }
        probe = work.resolve("probe");
        assertThat(sh(List.of("gcc", "-static", "-O1", "-o", probe.toString(), src.toString()), null).exit).isZero();

        live = LiveMonitor.sharedDefaultPack(ProcessNetworkPackLiveTest.class, WAIT);
        out = live.out();
        runc = new Runc();
        iso = runc.start(OciRuntime.uniqueId("p1iso"), ContainerSpec.of("sh", "-c", "sleep 120").withConfigEdit(ProcessNetworkPackLiveTest::mountProbe));
        hostnet = runc.start(OciRuntime.uniqueId("p1net"), ContainerSpec.of("sh", "-c", "sleep 120")
                .withConfigEdit(ProcessNetworkPackLiveTest::mountProbe)
                .withConfigEdit(c -> {
                    Iterator<com.fasterxml.jackson.databind.JsonNode> it = c.path("linux").path("namespaces").iterator();
                    while (it.hasNext()) {
                        if ("network".equals(it.next().path("type").asText())) {
                            it.remove();
                        }
                    }
                }));
    }

    @BeforeEach
    void markTestStart() {
        testStart = out.mark();
    }

    private static void mountProbe(ObjectNode config) {
        LiveProcesses.bindReadOnly(config, work, "/opt/probe");
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        if (runc != null) {
            runc.close();
        }
        if (work != null) {
            try (var s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    record Run(int exit, String output, long pid) {}

    private static Run sh(List<String> cmd, String stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (stdin != null) {
            try (var w = p.getOutputStream()) {
                w.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] o = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        return new Run(p.exitValue(), new String(o, StandardCharsets.UTF_8), p.pid());
    }

    private static Run exec(RunningContainer c, String... args) throws Exception {
        return execIn(c, null, args);
    }

    private static Run execIn(RunningContainer c, String stdin, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("exec", c.id()));
        a.addAll(List.of(args));
        return sh(runc.command(a), stdin);
    }

    private static Predicate<Alert> in(RunningContainer c) {
        return a -> a.container().id().equals(c.id());
    }

    private static Alert await(String rule, Predicate<Alert> p) throws InterruptedException {
        return out.awaitAfter(testStart, rule, p, WAIT);
    }

    /** The test's alerts of the rule that match. */
    private static List<Alert> alerts(String rule, Predicate<Alert> p) {
        return out.since(testStart).stream().filter(a -> a.rule().equals(rule) && p.test(a)).toList();
    }

    private static String exe(Alert a) {
        return a.event() instanceof ExecEvent e ? e.exe() : "";
    }

    @Test
    void terminalShellOnlyWithATerminalNotForScriptsOrTheEntrypoint() throws Exception {
        // Negative: an exec without a terminal (kubectl exec without -t, a probe), and the entrypoint.
        exec(iso, "sh", "-c", "echo no tty");
        // Positive: what docker/kubectl exec -it do: runc exec -t hands the pty master to a console
        // socket (the probe plays containerd-shim) and makes the slave the shell's stdin and ctty.
        Path sock = work.resolve("console.sock");
        Process console = new ProcessBuilder(probe.toString(), "console", sock.toString()).redirectErrorStream(true).start();
        try {
            assertThat(new String(console.getInputStream().readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("ready\n");
            Run r = sh(runc.command(List.of("exec", "-d", "-t", "--console-socket", sock.toString(), iso.id(), "sh", "-c", "exit 0")), null);
            assertThat(r.exit).as(r.output).isZero();
            assertThat(console.waitFor(10, TimeUnit.SECONDS)).as("the exec'd shell exited").isTrue();
        } finally {
            console.destroyForcibly();
        }
        Alert a = await("Terminal shell in container", in(iso));
        assertThat(a.output()).contains("shell=sh", "tty=pts", "container=" + iso.id());
        assertThat(a.tags()).contains("mitre_execution", "T1059.004");
        assertThat(alerts("Terminal shell in container", in(iso))).hasSize(1);
    }

    @Test
    void reverseShellsOverSocketsNetcatAndDevTcp() throws Exception {
        // Negatives: plain nc, a /dev/tcp health check, a shell on pipes.
        exec(hostnet, "sh", "-c", "nc -w1 127.0.0.1 1 </dev/null; true");
        exec(hostnet, "sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/1 || true");
        // Positive: a listener feeds "exit" to whoever connects; nc -e hands the connection to sh.
        int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        Run r = exec(hostnet, "sh", "-c", "(echo exit | nc -l -p " + port + ") & sleep 0.3; nc 127.0.0.1 " + port
                + " -e sh; wait");
        assertThat(r.exit).as(r.output).isZero();
        Alert shell = await("Reverse shell", in(hostnet));
        assertThat(shell.output()).contains("stdin=socket", "cmdline=sh ");
        assertThat(await("Netcat remote code execution", in(hostnet)).output()).contains(" -e sh");
        // bash's /dev/tcp form (busybox has no bash: the command line is what is judged).
        exec(hostnet, "sh", "-c", "bash -i >& /dev/tcp/127.0.0.1/1 0>&1; true");
        await("Reverse shell via /dev/tcp redirection", a -> in(hostnet).test(a) && a.output().contains("0>&1"));

        assertThat(alerts("Reverse shell", in(hostnet))).hasSize(1);
        assertThat(alerts("Netcat remote code execution", in(hostnet))).hasSize(1);
        assertThat(alerts("Reverse shell via /dev/tcp redirection", in(hostnet))).hasSize(1);
    }

    @Test
    void execFromDevShmAnywhereAndFromTmpInContainersOnly() throws Exception {
        // Host: a program in /tmp is fine on the host (build tools), in /dev/shm it is not.
        Path tmpBin = work.resolve("true-copy");
        Files.copy(Path.of("/bin/true"), tmpBin);
        Run hostTmp = sh(List.of(tmpBin.toString()), null);
        Path shm = Path.of("/dev/shm/eunomia-p1-" + ProcessHandle.current().pid());
        Files.copy(Path.of("/bin/true"), shm);
        try {
            Run r = sh(List.of(shm.toString()), null);
            Alert a = await("Execution from /dev/shm", x -> x.event().process().pid() == r.pid);
            assertThat(a.output()).contains("exe=" + shm, "container=host");
        } finally {
            Files.deleteIfExists(shm);
        }
        // Container: exec of the image's own programs is fine; a copy in /tmp is not.
        exec(iso, "sh", "-c", "true");
        exec(iso, "sh", "-c", "cp /bin/busybox /tmp/bb && /tmp/bb true");
        Alert a = await("Execution from /tmp in container", in(iso));
        assertThat(exe(a)).isEqualTo("/tmp/bb");
        assertThat(alerts("Execution from /tmp in container", in(iso))).hasSize(1);
        assertThat(alerts("Execution from /dev/shm", x -> x.event().process().pid() == hostTmp.pid)).isEmpty();
    }

    @Test
    void filelessExecutionFromAMemfd() throws Exception {
        Run plain = sh(List.of(probe.toString(), "true"), null);
        Run host = sh(List.of(probe.toString(), "memfd"), null);
        assertThat(host.exit).as(host.output).isZero();
        Alert a = await("Fileless execution via memfd", x -> x.event().process().pid() == host.pid);
        assertThat(exe(a)).startsWith("memfd:payload");
        exec(iso, "/opt/probe/probe", "memfd");
        await("Fileless execution via memfd", in(iso));
        assertThat(alerts("Fileless execution via memfd", x -> x.event().process().pid() == plain.pid)).isEmpty();
        // runc itself runs from a memfd on every start and exec: never alerted.
        assertThat(alerts("Fileless execution via memfd", x -> in(iso).test(x) || in(hostnet).test(x)
                || x.event().process().pid() == host.pid || x.event().process().pid() == plain.pid)).hasSize(2);
    }

    @Test
    void driftIsAnExecOfAFileWrittenInTheSameContainer() throws Exception {
        // Negatives: programs of the image; a data file written then read; a program from a
        // read-only bind mount (written by nobody in the container).
        exec(hostnet, "sh", "-c", "echo hi > /root/notes.txt; cat /root/notes.txt; /opt/probe/probe true");
        // Positive: a copy renamed into place, then run.
        exec(hostnet, "sh", "-c", "cp /bin/busybox /root/.x && mv /root/.x /root/tool && /root/tool true");
        Alert a = await("Drift detected: exec of a file written in the container", in(hostnet));
        assertThat(exe(a)).isEqualTo("/root/tool");
        assertThat(a.tags()).contains("T1525");
        assertThat(alerts("Drift detected: exec of a file written in the container", in(hostnet))).hasSize(1);
        // The same path in another container was never written there: no drift.
        exec(iso, "sh", "-c", "cp /bin/busybox /root/other && /root/other true");
        await("Drift detected: exec of a file written in the container", x -> in(iso).test(x) && exe(x).equals("/root/other"));
        assertThat(alerts("Drift detected: exec of a file written in the container", x -> exe(x).equals("/root/tool")))
                .hasSize(1);
    }

    @Test
    void miningPoolPortsButNotLoopbackOrOtherPorts() throws Exception {
        exec(iso, "sh", "-c", "nc -w1 10.255.255.1 8081; nc -w1 127.0.0.1 3333; true");
        exec(iso, "sh", "-c", "nc -w1 10.255.255.1 3333; true");
        Alert a = await("Connection to mining pool port", in(iso));
        assertThat(a.output()).contains("port=3333", "process=nc");
        assertThat(alerts("Connection to mining pool port", in(iso))).hasSize(1);
    }

    @Test
    void packetAndRawSocketsInContainersNotOnTheHostNorPing() throws Exception {
        sh(List.of(probe.toString(), "packet"), null);
        exec(iso, "sh", "-c", "ping -c1 -W1 127.0.0.1; /opt/probe/probe udp; true");
        exec(iso, "/opt/probe/probe", "packet");
        await("Raw or packet socket in container", a -> in(iso).test(a) && a.output().contains("family=17"));
        exec(iso, "/opt/probe/probe", "raw");
        await("Raw or packet socket in container", a -> in(iso).test(a) && a.output().contains("family=2 type=3"));
        assertThat(alerts("Raw or packet socket in container", x -> in(iso).test(x) || x.container().isHost()))
                .extracting(Alert::output).hasSize(2);
    }

    @Test
    void bpfFromAContainerNotFromTheHost() throws Exception {
        Run host = sh(List.of(probe.toString(), "bpf"), null);
        exec(iso, "/opt/probe/probe", "bpf");
        Alert a = await("bpf() called in container", in(iso));
        assertThat(a.output()).contains("process=probe");
        assertThat(alerts("bpf() called in container", x -> x.event().process().pid() == host.pid)).isEmpty();
    }

    @Test
    void interactiveShellThenOutboundConnectionWithin10s() throws Exception {
        // Negatives: an entrypoint-like script shell connecting out; an interactive shell talking to
        // loopback.
        exec(iso, "sh", "-c", "nc -w1 10.255.255.2 80; true");
        execIn(iso, "nc -w1 127.0.0.1 80\nexit 0\n", "sh");
        // Positive: an interactive shell (commands on stdin) whose child connects out.
        execIn(iso, "nc -w1 10.255.255.3 80\nexit 0\n", "sh");
        Alert a = await("Shell in container then outbound connection", in(iso));
        assertThat(a.output()).contains("10.255.255.3", "process=nc");
        assertThat(alerts("Shell in container then outbound connection", in(iso))).hasSize(1);
    }
}
