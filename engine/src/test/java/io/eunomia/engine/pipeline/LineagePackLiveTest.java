package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.LiveProcesses.of;
import static io.eunomia.engine.pipeline.LiveProcesses.run;
import static io.eunomia.engine.pipeline.LiveProcesses.runAsNobody;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The default pack's 15-lineage-and-discovery.yaml (the behaviours of Falco's stable rules the
 * rest of the pack did not cover) on real processes under a live monitor with the whole default
 * pack: each rule's positive and a look-alike negative, the negative first (one ring buffer, in
 * order: once the positive's alert arrived, the negative's events went through the session).
 */
@SharesLiveMonitor
class LineagePackLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine

    @RegisterExtension
    static final LineageLive lineage = new LineageLive("eunomia-lineage-",
            () -> LiveMonitor.sharedDefaultPack(LineagePackLiveTest.class, WAIT));

    @Test
    void searchForPrivateKeysOrCloudCredentials() throws Exception {
        long benign = run("grep", "-r", "eunomia-nothing", lineage.work().toString());
        long keys = run("grep", "-r", "BEGIN OPENSSH PRIVATE", lineage.work().toString());
        long aws = run("find", lineage.work().toString(), "-path", "*/.aws/credentials");
        assertThat(lineage.live().await("Search for private keys or cloud credentials", of(keys)).output()).contains("BEGIN OPENSSH PRIVATE");
        assertThat(lineage.live().await("Search for private keys or cloud credentials", of(aws)).output()).contains(".aws/credentials");
        assertThat(lineage.live().rulesFor(benign)).as(lineage.live().describe(benign)).isEmpty();
    }

    @Test
    void bulkDataRemovalByShredNotRm() throws Exception {
        LineageLive.RmAndShred acts = lineage.rmThenShred();
        assertThat(lineage.live().await("Bulk data removal", of(acts.shred())).output()).contains("cmdline=shred -u");
        assertThat(lineage.live().rulesFor(acts.rm())).as(lineage.live().describe(acts.rm())).isEmpty();
    }

    @Test
    void ptraceTracemeButNotAttach() throws Exception {
        long attach = run(lineage.ptraceHelper().toString());
        long traceme = run("perl", "-e", "syscall(101, 0, 0, 0, 0)");
        assertThat(lineage.live().await("PTRACE anti-debugging", of(traceme)).output()).contains("process=perl");
        assertThat(lineage.live().rulesFor(attach)).as(lineage.live().describe(attach)).doesNotContain("PTRACE anti-debugging");
    }

    @Test
    void systemAccountUnderSshdButNotRoot() throws Exception {
        long root = run(lineage.work().resolve("sshd").toString(), "-c", "id; true");
        long nobody = runAsNobody(lineage.work().resolve("sshd").toString(), "-c", "id; true");
        assertThat(lineage.live().await("System account runs an interactive program", a -> a.event().process().ppid() == nobody).output())
                .contains("user=nobody", "cmdline=id", "parent=sshd");
        assertThat(lineage.live().rulesFor(root)).as(lineage.live().describe(root)).isEmpty();
    }

    @Test
    void shellUnderAServerButNotUnderAnotherProgram() throws Exception {
        long benign = run(lineage.work().resolve("notaserver").toString(), "-c", "sh -c true; true");
        long server = run(lineage.work().resolve("nginx").toString(), "-c", "sh -c true; true");
        assertThat(lineage.live().await("Shell spawned by a server process", a -> a.event().process().ppid() == server).output())
                .contains("shell=sh", "parent=nginx", "pexe=" + lineage.work().resolve("nginx"));
        assertThat(lineage.live().rulesFor(benign)).as(lineage.live().describe(benign)).isEmpty();
    }

    @Test
    void sshToAWebPortButNotToPort22() throws Exception {
        // TEST-NET-3: routed out of this host, never answered; the connect in progress is the act
        List<String> opts = List.of("-o", "BatchMode=yes", "-o", "ConnectTimeout=1", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "203.0.113.9");
        List<String> std = new ArrayList<>(List.of("ssh", "-p", "22"));
        std.addAll(opts);
        List<String> web = new ArrayList<>(List.of("ssh", "-p", "443"));
        web.addAll(opts);
        long standard = run(std.toArray(String[]::new));
        long https = run(web.toArray(String[]::new));
        assertThat(lineage.live().await("SSH to a non-standard port", of(https)).output()).contains("203.0.113.9:443");
        // (ssh's probing of absent key files may raise the pack's denied-opens rule: not this rule's business)
        assertThat(lineage.live().rulesFor(standard)).as(lineage.live().describe(standard)).doesNotContain("SSH to a non-standard port");
    }

    @Test
    void debugfsInAPrivilegedContainerButNotAnOrdinaryOne() throws Exception {
        try (Runc runc = new Runc()) {
            // a static program bound as /sbin/debugfs that lives two seconds ("linger")
            String plainId = OciRuntime.uniqueId("lineage-plain");
            Result plain = runc.run(plainId, ContainerSpec.of("sh", "-c", "/sbin/debugfs linger")
                    .withConfigEdit(c -> LiveProcesses.bindReadOnly(c, lineage.packetHelper(), "/sbin/debugfs")), WAIT);
            assertThat(plain.exitCode()).as(plain.stderr()).isZero();
            String privId = OciRuntime.uniqueId("lineage-priv");
            Result priv = runc.run(privId, ContainerSpec.of("sh", "-c", "/sbin/debugfs linger").withConfigEdit(c -> {
                FalcoStableRulesLiveTest.privileged(c);
                LiveProcesses.bindReadOnly(c, lineage.packetHelper(), "/sbin/debugfs");
            }), WAIT);
            assertThat(priv.exitCode()).as(priv.stderr()).isZero();
            assertThat(lineage.live().await("Debugfs in a privileged container", a -> a.container().id().equals(privId)).output())
                    .contains("cmdline=/sbin/debugfs linger");
            assertThat(lineage.live().sinceTestStart().stream().filter(a -> a.container().id().equals(plainId)).map(Alert::rule).toList())
                    .doesNotContain("Debugfs in a privileged container");
        }
    }

    @Test
    void kubernetesApiServerFromAContainerButNotElsewhereNorFromTheHost() throws Exception {
        String rule = "Contact Kubernetes API server from container";
        // Own network namespace, lo down: each connect fails at once and nothing leaves the host.
        long host = run("unshare", "-n", "nc", "-w1", "10.96.0.1", "443");
        try (Runc runc = new Runc()) {
            // a listed address on another port; another address on the service port
            String otherId = OciRuntime.uniqueId("lineage-k8s-no");
            Result other = runc.run(otherId, ContainerSpec.of("sh", "-c",
                    "nc -w1 10.96.0.1 80; nc -w1 192.0.2.10 443; true"), WAIT);
            assertThat(other.exitCode()).as(other.stderr()).isZero();
            String apiId = OciRuntime.uniqueId("lineage-k8s");
            Result api = runc.run(apiId, ContainerSpec.of("sh", "-c",
                    "nc -w1 10.96.0.1 443; nc -w1 192.0.2.10 6443; true"), WAIT);
            assertThat(api.exitCode()).as(api.stderr()).isZero();
            assertThat(lineage.live().await(rule, a -> a.container().id().equals(apiId) && a.output().contains("10.96.0.1:443")).output())
                    .contains("cmdline=nc -w1 10.96.0.1 443", "result=");
            lineage.live().await(rule, a -> a.container().id().equals(apiId) && a.output().contains("192.0.2.10:6443"));
            assertThat(lineage.live().sinceTestStart().stream().filter(a -> a.container().id().equals(otherId)).map(Alert::rule).toList())
                    .doesNotContain(rule);
            assertThat(lineage.live().rulesFor(host)).as(lineage.live().describe(host)).doesNotContain(rule);
            // one alert a contact, none twice (the shared monitor's other classes' acts are not this test's)
            assertThat(lineage.live().sinceTestStart().stream().filter(a -> a.rule().equals(rule)
                    && a.container().id().equals(apiId)).toList()).hasSize(2);
        }
    }
}
