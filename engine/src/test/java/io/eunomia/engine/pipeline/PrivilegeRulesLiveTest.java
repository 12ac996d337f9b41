package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The default pack's file, privilege and escape rules (30-files.yaml, 40-privilege.yaml,
 * 45-setuid.drl, 50-flag-bits.drl, 55-denials.drl) on real events: a live monitor with the real sensors, and real
 * processes doing the thing on the host or inside a real runc container. Every rule has a positive
 * case (the alert arrives, for that process) and a negative one (a look-alike benign action raises
 * nothing). A negative action always runs before a positive one of the same rule, so once the
 * positive alert arrived the negative's events have been through the session too.
 *
 * <p>The kernel here has no module support: init_module/finit_module return ENOSYS and are seen
 * only with the sensors' module fallback, which this test switches on.
 */
class PrivilegeRulesLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String NOBODY = "65534";

    private static Path dir;
    private static Path ptraceHelper;
    private static Path suidHelper;
    private static InMemoryOutput out;
    private static Monitor monitor;
    /** Each test looks only at the alerts raised after it began. */
    private static Recorder.Mark testStart;

    @BeforeAll
    static void start() throws Exception {
        dir = LiveProcesses.readableTempDir("eunomia-pack2-");   // for the unprivileged (nobody) actions
        Path src = dir.resolve("ptrace-attach.c");
        try (InputStream in = PrivilegeRulesLiveTest.class.getResourceAsStream("/rules-pack2/ptrace-attach.c")) {
            Files.copy(in, src);
        }
        ptraceHelper = dir.resolve("ptrace-attach");
        assertThat(new ProcessBuilder("gcc", "-static", "-O1", "-o", ptraceHelper.toString(), src.toString())
                .inheritIO().start().waitFor()).isZero();
        Path suidSrc = dir.resolve("suid-drop-restore.c");
        try (InputStream in = PrivilegeRulesLiveTest.class.getResourceAsStream("/rules-pack2/suid-drop-restore.c")) {
            Files.copy(in, suidSrc);
        }
        suidHelper = dir.resolve("suid-drop-restore");
        assertThat(new ProcessBuilder("gcc", "-O1", "-o", suidHelper.toString(), suidSrc.toString())
                .inheritIO().start().waitFor()).isZero();
        assertThat(new ProcessBuilder("chmod", "4755", suidHelper.toString()).inheritIO().start().waitFor()).isZero();
        out = new InMemoryOutput();
        monitor = Monitor.start(new RuleLoader(List.of(), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o.withModuleFallback(true));
    }

    @AfterAll
    static void stop() throws Exception {
        if (monitor != null) {
            monitor.close();
        }
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }

    @BeforeEach
    void markTestStart() {
        testStart = out.mark();
    }

    /** Runs a command to completion (its exit code is not judged: many actions are meant to fail); returns its pid. */
    private static long run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return p.pid();
    }

    /** Runs a command as nobody, with no supplementary groups. */
    private static long runAsNobody(String... cmd) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        all.addAll(List.of(cmd));
        return run(all.toArray(String[]::new));
    }

    private static Alert await(String rule, Predicate<Alert> which) throws InterruptedException {
        return out.awaitAfter(testStart, rule, which, WAIT);
    }

    private static Alert await(String rule, long pid) throws InterruptedException {
        return await(rule, a -> a.event().process().pid() == pid);
    }

    private static List<String> rulesFor(long pid) {
        return out.since(testStart).stream().filter(a -> a.event().process().pid() == pid).map(Alert::rule).toList();
    }

    /** The alerts of a process with their events, for failure messages. */
    private static String describe(long pid) {
        return out.since(testStart).stream().filter(a -> a.event().process().pid() == pid)
                .map(a -> a.rule() + ": " + a.output() + " " + a.event()).collect(Collectors.joining("\n"));
    }

    private static List<String> rulesForContainer(String id) {
        return out.since(testStart).stream().filter(a -> a.container().id().equals(id)).map(a -> a.rule() + ": " + a.output()).toList();
    }

    @Test
    void sensitiveFileReadSucceededOrDeniedButNotOrdinaryFiles() throws Exception {
        long passwd = run("cat", "/etc/passwd");
        long pub = run("sh", "-c", "cat /etc/ssh/ssh_host_*_key.pub; cat /etc/hostname");
        long shadow = run("cat", "/etc/shadow");
        long denied = runAsNobody("cat", "/etc/gshadow");
        assertThat(await("Read sensitive file", shadow).output()).contains("file=/etc/shadow", "result=SUCCESS", "process=cat");
        assertThat(await("Read sensitive file", denied).output()).contains("file=/etc/gshadow", "result=EACCES", "user=65534");
        assertThat(rulesFor(passwd)).as(describe(passwd)).isEmpty();
        assertThat(rulesFor(pub)).as(describe(pub)).isEmpty();
    }

    @Test
    void linkToSensitiveFileButNotToOrdinaryFiles() throws Exception {
        long ordinary = run("ln", "-s", "/etc/passwd", dir.resolve("passwd-link").toString());
        long link = run("ln", "-s", "/etc/shadow", dir.resolve("shadow-link").toString());
        long hard = run("ln", "/etc/sudoers", dir.resolve("sudoers-hardlink").toString()); // EXDEV across file systems is fine: attempts count
        assertThat(await("Link to sensitive file", link).output()).contains("target=/etc/shadow", "link=" + dir.resolve("shadow-link"));
        assertThat(await("Link to sensitive file", hard).output()).contains("target=/etc/sudoers", "op=link");
        assertThat(rulesFor(ordinary)).as(describe(ordinary)).isEmpty();
    }

    @Test
    void writeBelowEtcAndBinaryDirsIncludingDeniedAttemptsButNotElsewhere() throws Exception {
        long tmp = run("touch", dir.resolve("not-etc").toString());
        long readEtc = run("cat", "/etc/hostname");
        // Denied attempts by nobody: no system file is touched, the attempt is what the rule is about.
        long etc = runAsNobody("touch", "/etc/eunomia-pack2-test");
        long bin = runAsNobody("sh", "-c", "echo x > /usr/bin/eunomia-pack2-test");
        long boot = runAsNobody("rm", "-f", "/boot/eunomia-pack2-test-missing");
        assertThat(await("Write below system directory", etc).output()).contains("file=/etc/eunomia-pack2-test", "result=EACCES");
        assertThat(await("Write below system directory", bin).output()).contains("file=/usr/bin/eunomia-pack2-test");
        assertThat(await("Write below system directory", boot).output()).contains("op=unlink", "/boot/eunomia-pack2-test-missing");
        assertThat(rulesFor(tmp)).as(describe(tmp)).isEmpty();
        assertThat(rulesFor(readEtc)).as(describe(readEtc)).isEmpty();
    }

    @Test
    void setuidBitSetButNotPlainModes() throws Exception {
        Path f = dir.resolve("suid-me");
        Files.writeString(f, "#!/bin/sh\n");
        long plain = run("chmod", "0755", f.toString());
        long suid = run("chmod", "u+s", f.toString());
        long sgid = run("chmod", "2755", f.toString());
        assertThat(await("Set setuid or setgid bit", suid).output()).contains("file=" + f, "result=SUCCESS");
        assertThat(await("Set setuid or setgid bit", sgid).output()).contains("mode=02755 ");
        assertThat(rulesFor(plain)).as(describe(plain)).isEmpty();
    }

    @Test
    void setuidToRootByNonRootAttemptedOrDone() throws Exception {
        String setuid0 = "use POSIX; POSIX::setuid(0); exit 0";
        // Not root at all: setuid to itself (no rule), setuid(0) refused with EPERM (attempt).
        long toSelf = runAsNobody("perl", "-e", "use POSIX; POSIX::setuid(" + NOBODY + ")");
        long refused = runAsNobody("perl", "-e", setuid0);
        // Root already: setuid(0) is not an escalation.
        long root = run("perl", "-e", setuid0);
        // A setuid-root program run by nobody that works as nobody for a while, then goes back to
        // root through its saved uid (sudo does): real and effective uid were 65534 before that call.
        Process suid = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                suidHelper.toString()).redirectErrorStream(true).start();
        String suidOutput = new String(suid.getInputStream().readAllBytes());
        assertThat(suid.waitFor()).as(suidOutput).isZero();
        // Not root, but holding CAP_SETUID (a GTFOBins-style capability on an interpreter): it works.
        long done = run("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--inh-caps=+setuid",
                "--ambient-caps=+setuid", "perl", "-e", setuid0);
        assertThat(await("Setuid to root attempted by non-root process", refused).output())
                .contains("uid=65534", "result=EPERM", "attempted setuid");
        assertThat(await("Setuid to root by non-root process", done).output())
                .contains("became root via setuid (was uid=65534 euid=65534 suid=65534, now uid=0 euid=0", "result=SUCCESS");
        assertThat(rulesFor(done)).as(describe(done)).doesNotContain("Setuid to root attempted by non-root process");
        assertThat(rulesFor(refused)).as(describe(refused)).doesNotContain("Setuid to root by non-root process");
        assertThat(rulesFor(toSelf)).as(describe(toSelf)).isEmpty();
        assertThat(rulesFor(root)).as(describe(root)).isEmpty();
        assertThat(rulesFor(suid.pid())).as(describe(suid.pid())).isEmpty();
    }

    @Test
    void ptraceAttachByNonDebuggerOnHostButNotByStrace() throws Exception {
        long strace = run("strace", "-f", "-o", "/dev/null", "true");
        long attach = run(ptraceHelper.toString());
        assertThat(await("PTRACE attached to process by non-debugger", attach).output()).contains("request=16", "process=ptrace-attach");
        assertThat(rulesFor(strace)).as(describe(strace)).isEmpty();
    }

    @Test
    void kernelModuleLoadAttemptButNotListingOrUnloading() throws Exception {
        Path ko = dir.resolve("pack2.ko");
        Files.write(ko, new byte[64]); // not a module: the kernel (ENOSYS here, ENOEXEC elsewhere) refuses it
        long lsmod = run("busybox", "lsmod");
        long unload = run("perl", "-e", "syscall(176, 'eunomia_pack2_none', 0)"); // delete_module
        long insmod = run("busybox", "insmod", ko.toString());
        Alert a = await("Kernel module load attempt", insmod);
        assertThat(a.output()).contains("call=finit_module", "file=" + ko, "process=busybox");
        assertThat(rulesFor(lsmod)).as(describe(lsmod)).isEmpty();
        assertThat(rulesFor(unload)).as(describe(unload)).isEmpty();
    }

    @Test
    void procMemWriteButNotRead() throws Exception {
        long read = run("perl", "-e", "open(my $f, '<', '/proc/self/mem') or die");
        long write = run("perl", "-e", "open(my $f, '+<', '/proc/self/mem') or die");
        assertThat(await("Write to process memory via procfs", write).output()).contains("file=/proc/" + write + "/mem");
        assertThat(rulesFor(read)).as(describe(read)).isEmpty();
    }

    @Test
    void logClearingByTruncationButNotAppending() throws Exception {
        Path log = Path.of("/var/log/eunomia-pack2-test.log");
        Files.writeString(log, "line\n");
        try {
            long append = run("sh", "-c", "echo more >> " + log);
            long read = run("cat", log.toString());
            long redirect = run("sh", "-c", ": > " + log);
            long truncate = run("truncate", "-s", "0", log.toString());
            assertThat(await("Log file cleared", redirect).output()).contains("op=open", "file=" + log);
            assertThat(await("Log file cleared", truncate).output()).contains("op=truncate");
            assertThat(rulesFor(append)).as(describe(append)).isEmpty();
            assertThat(rulesFor(read)).as(describe(read)).isEmpty();
        } finally {
            Files.deleteIfExists(log); // by this JVM: the sensors exclude the monitor's own process
        }
    }

    @Test
    void releaseAgentWriteOnAV1CgroupButNotReadingIt() throws Exception {
        Path cg = Files.createDirectory(dir.resolve("cg"));
        assertThat(run("mount", "-t", "cgroup", "-o", "none,name=eunomia-pack2", "cgroup", cg.toString())).isPositive();
        try {
            long read = run("cat", cg.resolve("release_agent").toString());
            // The classic escape writes a program path here; notify_on_release stays 0 and the
            // hierarchy holds no cgroup that could empty, so nothing runs.
            long write = run("sh", "-c", "echo /nonexistent-agent > " + cg.resolve("release_agent"));
            long notify = run("sh", "-c", "echo 0 > " + cg.resolve("notify_on_release"));
            assertThat(await("Cgroup release_agent write", write).output()).contains("file=" + cg.resolve("release_agent"));
            await("Cgroup release_agent write", notify);
            assertThat(rulesFor(read)).as(describe(read)).isEmpty();
        } finally {
            run("umount", cg.toString());
        }
    }

    @Test
    void repeatedDeniedSensitiveOpensBySameProcessButNotAFew() throws Exception {
        long few = runAsNobody("perl", "-e", "open(F, '/etc/shadow') for 1..3");
        long many = runAsNobody("perl", "-e", "open(F, '/etc/shadow') for 1..8");
        Alert a = await("Repeated denied opens of sensitive files", many);
        assertThat(a.output()).contains("file=/etc/shadow", "result=EACCES", "process=perl");
        // one burst, one alert (the newest denial in the window is the only one that fires)
        assertThat(rulesFor(many)).as(describe(many)).filteredOn(r -> r.startsWith("Repeated")).hasSize(1);
        assertThat(rulesFor(few)).as(describe(few)).containsOnly("Read sensitive file");
    }

    /**
     * Inside real runc containers. A privileged one (CAP_SYS_ADMIN) mounts, unshares, mounts a cgroup
     * v1 hierarchy and writes its release_agent (CVE-2022-0492's steps), writes below /etc and attaches
     * with ptrace; an ordinary one does ordinary things and must raise nothing, in particular not for
     * what runc itself does inside the container while setting it up.
     */
    @Test
    void containerEscapeStepsInAPrivilegedContainerButNothingFromAnOrdinaryOne() throws Exception {
        try (Runc runc = new Runc()) {
            String plainId = OciRuntime.uniqueId("pack2-plain");
            Result plain = runc.run(plainId, ContainerSpec.of("sh", "-c",
                    "echo hello > /tmp/out; cat /etc/hostname /etc/passwd >/dev/null; ls / >/dev/null; sleep 0.2"), WAIT);
            assertThat(plain.exitCode()).as(plain.stderr()).isZero();

            String privId = OciRuntime.uniqueId("pack2-priv");
            ContainerSpec priv = ContainerSpec.of("sh", "-c", String.join("; ",
                    "mkdir -p /mnt",
                    "mount -t tmpfs scratch /mnt",
                    "unshare -m true",
                    "mkdir /mnt/cg",
                    "mount -t cgroup -o none,name=eunomia-pack2c cgroup /mnt/cg",
                    "echo /nonexistent-agent > /mnt/cg/release_agent",
                    "umount /mnt/cg",
                    "touch /etc/pack2-dropped",
                    "/ptrace-attach",
                    "sleep 0.2")).withConfigEdit(c -> {
                        LiveProcesses.addCapabilities(c, "CAP_SYS_ADMIN", "CAP_SYS_PTRACE");
                        LiveProcesses.bindReadOnly(c, ptraceHelper, "/ptrace-attach");
                    });
            Result r = runc.run(privId, priv, WAIT);
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();

            Predicate<Alert> inPriv = a -> a.container().id().equals(privId);
            assertThat(await("Mount or namespace change in container", inPriv.and(a -> a.output().contains("fstype=tmpfs")))
                    .output()).contains("call=mount", "target=/mnt", "result=SUCCESS");
            // unshare -m moves the process out of the mount namespace the container is known by: its
            // event is unresolved (container id empty), yet still a container's (own pid namespace).
            long unsharePid = await("Privileged capability used in container", inPriv.and(a -> a.output().contains("call=unshare")))
                    .event().process().pid();
            await("Mount or namespace change in container", a -> a.event().process().pid() == unsharePid
                    && a.output().contains("call=unshare"));
            await("Privileged capability used in container", inPriv.and(a -> a.output().contains("cap=CAP_SYS_ADMIN")));
            assertThat(await("Cgroup release_agent write", inPriv).output()).contains("file=/mnt/cg/release_agent", "result=SUCCESS");
            await("Write below system directory", inPriv.and(a -> a.output().contains("file=/etc/pack2-dropped")));
            assertThat(await("PTRACE attached to process in container", inPriv).output()).contains("request=16", "result=SUCCESS");

            assertThat(rulesForContainer(plainId)).isEmpty();
            // nothing from runc's own set-up in the privileged container either
            assertThat(out.since(testStart).stream().filter(inPriv).map(a -> a.event().process().comm()))
                    .noneMatch(c -> c.startsWith("runc"));
        }
    }
}
