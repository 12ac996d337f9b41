package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.LiveProcesses.of;
import static io.eunomia.engine.pipeline.LiveProcesses.run;
import static io.eunomia.engine.pipeline.LiveProcesses.runAsNobody;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.rules.RuleCache;
import io.eunomia.rules.RuleCompiler;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.abi.Capability;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.FalcoRuleFiles;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import io.eunomia.testkit.Podman;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Falco's stable rule file (falcosecurity/rules falco_rules.yaml, unmodified, found by FalcoRuleFiles: a shared/falco above the module)
 * run by a live monitor with the real sensors, without the default pack: real processes on this
 * host do what each rule describes (positive) and a look-alike benign thing (negative). The
 * negative always runs first, so once the positive's alert arrived its events went through the
 * session too (one ring buffer, in order). What the rules read of the process table (proc.aname,
 * user.name, proc.exe on a connect, proc.is_exe_from_memfd ...) comes from the enrichment stage.
 */
class FalcoStableRulesLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    @RegisterExtension
    static final LineageLive lineage = new LineageLive("eunomia-falco-",
            () -> LiveMonitor.start(new RuleLoader(List.of(FalcoRuleFiles.file("falco_rules.yaml")), false,
                    sources -> RuleCompiler.compile(sources, RuleCache.NONE, true)), WAIT));

    @Test
    void readSensitiveFileUntrusted() throws Exception {
        long benign = run("cat", "/etc/hostname");
        long shadow = run("cat", "/etc/shadow");
        assertThat(lineage.live().await("Read sensitive file untrusted", of(shadow)).output())
                .contains("file=/etc/shadow", "process=cat", "user=root", "user_uid=0");
        assertThat(lineage.live().rulesFor(benign)).as(lineage.live().describe(benign)).isEmpty();
    }

    @Test
    void runShellUntrustedByAServerProcess() throws Exception {
        // a shell whose parent is "nginx" (an http server in Falco's list) vs one under an unknown program
        long benign = run(lineage.work().resolve("notaserver").toString(), "-c", "sh -c true; true");
        long server = run(lineage.work().resolve("nginx").toString(), "-c", "sh -c true; true");
        assertThat(lineage.live().await("Run shell untrusted", a -> a.event().process().ppid() == server).output())
                .contains("process=sh", "parent=nginx", "parent_exepath=" + lineage.work().resolve("nginx"), "pcmdline=" + lineage.work().resolve("nginx") + " -c sh -c true; true");
        assertThat(lineage.live().rulesFor(benign)).as(lineage.live().describe(benign)).isEmpty();
    }

    @Test
    void systemUserInteractiveUnderSshd() throws Exception {
        // user.name from /etc/passwd (nobody), proc.aname = sshd from the process table
        long root = run(lineage.work().resolve("sshd").toString(), "-c", "id; true");
        long nobody = runAsNobody(lineage.work().resolve("sshd").toString(), "-c", "id; true");
        assertThat(lineage.live().await("System user interactive", a -> a.event().process().ppid() == nobody).output())
                .contains("user=nobody", "user_uid=65534", "process=id", "parent=sshd");
        assertThat(lineage.live().rulesFor(root)).as(lineage.live().describe(root)).isEmpty();
    }

    @Test
    void searchPrivateKeysOrPasswords() throws Exception {
        long benign = run("grep", "-r", "eunomia-nothing", lineage.work().toString());
        long keys = run("grep", "-r", "BEGIN RSA PRIVATE", lineage.work().toString());
        assertThat(lineage.live().await("Search Private Keys or Passwords", of(keys)).output()).contains("process=grep", "BEGIN RSA PRIVATE");
        assertThat(lineage.live().rulesFor(benign)).as(lineage.live().describe(benign)).isEmpty();
    }

    @Test
    void findAwsCredentials() throws Exception {
        long benign = run("grep", "-r", "aws_region", lineage.work().toString());
        long aws = run("grep", "-r", "aws_secret_access_key", lineage.work().toString());
        assertThat(lineage.live().await("Find AWS Credentials", of(aws)).output()).contains("process=grep", "aws_secret_access_key");
        assertThat(lineage.live().rulesFor(benign)).as(lineage.live().describe(benign)).isEmpty();
    }

    @Test
    void clearLogActivitiesByTruncationNotAppend() throws Exception {
        Path log = Path.of("/var/log/eunomia-falco-test.log");
        Files.writeString(log, "line\n");
        try {
            long append = run("sh", "-c", "echo more >> " + log);
            long truncate = run("sh", "-c", ": > " + log);
            assertThat(lineage.live().await("Clear Log Activities", of(truncate)).output()).contains("file=" + log);
            assertThat(lineage.live().rulesFor(append)).as(lineage.live().describe(append)).isEmpty();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void removeBulkDataWithShredNotRm() throws Exception {
        LineageLive.RmAndShred acts = lineage.rmThenShred();
        assertThat(lineage.live().await("Remove Bulk Data from Disk", of(acts.shred())).output()).contains("process=shred");
        assertThat(lineage.live().rulesFor(acts.rm())).as(lineage.live().describe(acts.rm())).isEmpty();
    }

    @Test
    void symlinkAndHardlinkOverSensitiveFiles() throws Exception {
        long plainLink = run("ln", "-s", "/etc/hostname", lineage.work().resolve("host-link").toString());
        long plainHard = run("ln", "/etc/hostname", lineage.work().resolve("host-hard").toString());
        long sym = run("ln", "-s", "/etc/shadow", lineage.work().resolve("shadow-link").toString());
        long hard = run("ln", "/etc/shadow", lineage.work().resolve("shadow-hard").toString()); // EXDEV across file systems: the attempt counts
        assertThat(lineage.live().await("Create Symlink Over Sensitive Files", of(sym)).output())
                .contains("target=/etc/shadow", "linkpath=" + lineage.work().resolve("shadow-link"));
        assertThat(lineage.live().await("Create Hardlink Over Sensitive Files", of(hard)).output()).contains("target=/etc/shadow");
        assertThat(lineage.live().rulesFor(plainLink)).as(lineage.live().describe(plainLink)).isEmpty();
        assertThat(lineage.live().rulesFor(plainHard)).as(lineage.live().describe(plainHard)).isEmpty();
    }

    @Test
    void ptraceAttachAndAntiDebug() throws Exception {
        // PTRACE_TRACEME (101 = ptrace on x86_64) is anti-debugging, not an attach; PTRACE_ATTACH is not anti-debugging
        long traceme = run("perl", "-e", "syscall(101, 0, 0, 0, 0)");
        long attach = run(lineage.ptraceHelper().toString());
        assertThat(lineage.live().await("PTRACE anti-debug attempt", of(traceme)).output()).contains("process=perl");
        assertThat(lineage.live().await("PTRACE attached to process", of(attach)).output()).contains("process=ptrace-attach");
        assertThat(lineage.live().rulesFor(traceme)).as(lineage.live().describe(traceme)).doesNotContain("PTRACE attached to process");
        assertThat(lineage.live().rulesFor(attach)).as(lineage.live().describe(attach)).doesNotContain("PTRACE anti-debug attempt");
    }

    @Test
    void executionFromDevShm() throws Exception {
        Path shm = Path.of("/dev/shm/eunomia-falco-true");
        Files.copy(Path.of("/usr/bin/true"), shm, StandardCopyOption.REPLACE_EXISTING);
        try {
            long benign = run("/usr/bin/true");
            long fromShm = run(shm.toString());
            assertThat(lineage.live().await("Execution from /dev/shm", of(fromShm)).output()).contains("proc_exepath=" + shm);
            assertThat(lineage.live().rulesFor(benign)).as(lineage.live().describe(benign)).isEmpty();
        } finally {
            Files.deleteIfExists(shm);
        }
    }

    @Test
    void filelessExecutionViaMemfd() throws Exception {
        long benign = run("perl", "-e", "exec '/usr/bin/true'");
        // memfd_create (319) a copy of true, then exec it through /proc/self/fd
        String memfd = "my $n = 'eunomia'; my $fd = syscall(319, $n, 0); die if $fd < 0; open(my $m, '>&=', $fd) or die;"
                + " open(my $t, '<', '/usr/bin/true') or die; binmode $t; my $d = do { local $/; <$t> };"
                + " syswrite($m, $d) == length($d) or die; exec {\"/proc/self/fd/$fd\"} 'memfd-true' or die";
        long fileless = run("perl", "-e", memfd);
        assertThat(lineage.live().await("Fileless execution via memfd_create", of(fileless)).output()).contains("proc_exepath=", "memfd:eunomia");
        assertThat(lineage.live().rulesFor(benign)).as(lineage.live().describe(benign)).isEmpty();
    }

    @Test
    void sshToANonStandardPort() throws Exception {
        // TEST-NET-3 addresses: routed out of this host, never answered; the connect in progress is what counts
        String[] opts = {"-o", "BatchMode=yes", "-o", "ConnectTimeout=1", "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null"};
        List<String> std = new ArrayList<>(List.of("ssh", "-p", "22"));
        std.addAll(List.of(opts));
        std.add("203.0.113.7");
        List<String> odd = new ArrayList<>(List.of("ssh", "-p", "4444"));
        odd.addAll(List.of(opts));
        odd.add("203.0.113.7");
        long standard = run(std.toArray(String[]::new));
        long nonStandard = run(odd.toArray(String[]::new));
        assertThat(lineage.live().await("Disallowed SSH Connection Non Standard Port", of(nonStandard)).output())
                .contains("connection=", "203.0.113.7:4444", "process=ssh");
        assertThat(lineage.live().rulesFor(standard)).as(lineage.live().describe(standard)).isEmpty();
    }

    private static long hostBoundingSet() {
        try {
            return Files.readAllLines(Path.of("/proc/1/status")).stream().filter(l -> l.startsWith("CapBnd:"))
                    .map(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16)).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every capability this host's root may hold (here all but CAP_SYS_RESOURCE) and no seccomp, as --privileged gives. */
    static void privileged(ObjectNode c) {
        ObjectNode caps = (ObjectNode) c.path("process").path("capabilities");
        long bounding = hostBoundingSet();
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode a = caps.putArray(set);
            for (Capability cap : Capability.values()) {
                if ((bounding & (1L << cap.number())) != 0) {
                    a.add("CAP_" + cap.name());
                }
            }
        }
        ((ObjectNode) c.path("linux")).remove("seccomp");
    }

    /**
     * Inside real runc containers: a privileged one (every capability, no seccomp, as --privileged
     * runs it) starts debugfs, opens a packet socket and writes a cgroup release_agent; an ordinary
     * one starts debugfs too and must raise nothing; the packet socket on the host raises nothing.
     */
    @Test
    void containerRulesInAPrivilegedContainerButNotAnOrdinaryOneNorTheHost() throws Exception {
        long hostPacket = run(lineage.packetHelper().toString());
        try (Runc runc = new Runc()) {
            String plainId = OciRuntime.uniqueId("falco-plain");
            Result plain = runc.run(plainId, ContainerSpec.of("sh", "-c", "/sbin/debugfs linger; cat /etc/hostname >/dev/null; sleep 0.2")
                    .withConfigEdit(c -> LiveProcesses.bindReadOnly(c, lineage.packetHelper(), "/sbin/debugfs")), WAIT);
            assertThat(plain.exitCode()).as(plain.stderr()).isZero();

            String privId = OciRuntime.uniqueId("falco-priv");
            ContainerSpec priv = ContainerSpec.of("sh", "-c", String.join("; ",
                    "/sbin/debugfs linger", // a program named debugfs, alive long enough for its capabilities to be read
                    "/packet-socket",
                    "mkdir -p /mnt/cg",
                    "mount -t cgroup -o none,name=eunomia-falco cgroup /mnt/cg",
                    "echo /nonexistent-agent > /mnt/cg/release_agent",
                    "umount /mnt/cg",
                    "sleep 0.2")).withConfigEdit(c -> {
                        privileged(c);
                        LiveProcesses.bindReadOnly(c, lineage.packetHelper(), "/sbin/debugfs");
                        LiveProcesses.bindReadOnly(c, lineage.packetHelper(), "/packet-socket");
                    });
            Result r = runc.run(privId, priv, WAIT);
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();

            Predicate<Alert> inPriv = a -> a.container().id().equals(privId);
            assertThat(lineage.live().await("Debugfs Launched in Privileged Container", inPriv).output()).contains("process=debugfs");
            assertThat(lineage.live().await("Packet socket created in container", inPriv).output()).contains("process=packet-socket");
            assertThat(lineage.live().await("Detect release_agent File Container Escapes", inPriv).output()).contains("file=/mnt/cg/release_agent");
            assertThat(lineage.live().sinceTestStart().stream().filter(a -> a.container().id().equals(plainId)).map(Alert::rule).toList())
                    .isEmpty();
            assertThat(lineage.live().rulesFor(hostPacket)).as(lineage.live().describe(hostPacket)).isEmpty();
        }
    }

    @Test
    void terminalShellInContainerWithATerminalNotWithout() throws Exception {
        String rule = "Terminal shell in container";
        Path src = lineage.work().resolve("probe.c");
        try (InputStream in = FalcoStableRulesLiveTest.class.getResourceAsStream("/io/eunomia/engine/pack/probe.c")) {
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        Path probe = lineage.work().resolve("probe");
        assertThat(new ProcessBuilder("gcc", "-static", "-O1", "-o", probe.toString(), src.toString())
                .inheritIO().start().waitFor()).isZero();
        try (Runc runc = new Runc()) {
            RunningContainer c = runc.start(OciRuntime.uniqueId("falco-tty"), ContainerSpec.of("sh", "-c", "sleep 60"));
            // Negative: an exec without a terminal (a probe, kubectl exec without -t).
            assertThat(new ProcessBuilder(runc.command(List.of("exec", c.id(), "sh", "-c", "echo no tty")))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor()).isZero();
            // Positive: runc exec -t (what docker/kubectl exec -it do) in the foreground, runc on a
            // terminal that script(1) gives it: the pty runc allocates is the shell's stdin and
            // controlling terminal, runc its parent (Falco's container_entrypoint). (Detached, with a
            // console socket, the shell is an orphan at once and its parent is not an entrypoint name.)
            String cmd = String.join(" ", runc.command(List.of("exec", "-t", c.id(), "sh", "-c", "exit")));
            Process exec = new ProcessBuilder("script", "-qec", cmd, "/dev/null").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String why = new String(exec.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(exec.waitFor()).as(why).isZero();
            Alert a = lineage.live().await(rule, x -> x.container().id().equals(c.id()));
            assertThat(a.output()).contains("process=sh", "terminal=pts");
            assertThat(lineage.live().sinceTestStart().stream().filter(x -> x.rule().equals(rule) && x.container().id().equals(c.id())).toList())
                    .hasSize(1);
        }
    }

    @Test
    void dropAndExecuteNewBinaryOnAnOverlayRootNotFromTheImage() throws Exception {
        String rule = "Drop and execute new binary in container";
        try (Podman podman = Podman.start("localhost/eunomia-busybox:falco")) {
            // proc.is_exe_upper_layer reads the upper directory of the overlay that is the container's
            // root: a runc bundle on a plain directory has none (the rule cannot fire there).
            org.junit.jupiter.api.Assumptions.assumeTrue(podman.storageDriver().equals("overlay"),
                    "podman storage is " + podman.storageDriver() + ": the kernel has no overlayfs, no upper layer to judge");
            // Negative: a binary of the image (lower layer), a copy that is written but not run. Both
            // programs live a second: the upper layer is judged from /proc/PID/mountinfo after the
            // exec, so a program gone by then is never judged (see README, Falco's rule files).
            Result image = podman.cli(WAIT, "run", "--rm", podman.image(), "sh", "-c", "cp /bin/busybox /root/kept; /bin/sleep 1");
            assertThat(image.exitCode()).as(image.stderr()).isZero();
            Result dropped = podman.cli(WAIT, "run", "--rm", podman.image(), "sh", "-c", "cp /bin/busybox /root/sleep && /root/sleep 1");
            assertThat(dropped.exitCode()).as(dropped.stderr()).isZero();
            assertThat(lineage.live().await(rule, x -> x.output().contains("proc_exe=/root/sleep")).output()).contains("process=sleep", "command=/root/sleep 1");
            assertThat(lineage.live().sinceTestStart().stream().filter(x -> x.rule().equals(rule)).map(Alert::output).toList()).hasSize(1);
        }
    }
}
