package io.eunomia.engine.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.engine.Cli;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.Monitor;
import io.eunomia.engine.pipeline.Pipeline;
import io.eunomia.engine.pipeline.RuleLoader;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.Containerd;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime Kubernetes nodes run: a real containerd, containers in namespace {@code k8s.io}
 * carrying what the kubelet and the CRI plugin put on them (labels {@code io.kubernetes.pod.name},
 * {@code io.kubernetes.pod.namespace}, {@code io.kubernetes.container.name}; the CRI plugin's OCI
 * annotations {@code io.kubernetes.cri.sandbox-name}, ... which are what reaches runc's state). The
 * monitor runs with its default sources ({@code /run/containerd/runc/k8s.io} among them).
 */
class ContainerdK8sNamespaceTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static Containerd containerd;
    private static InMemoryOutput out;
    private static Monitor monitor;
    private static Path rootfs;
    /** A rule on the pod fields, as Falco writes them. */
    private static final String POD_RULE = """
            - rule: Exec in the ledger pod of payments-ops
              desc: test rule on k8s.pod.name and k8s.ns.name
              condition: evt.type = exec and k8s.ns.name = "payments-ops" and k8s.pod.name = "ledger-7f9c" and proc.name = "sh"
              output: sh in pod %k8s.ns.name/%k8s.pod.name container %container.name (%container.id)
              priority: NOTICE
            """;

    @BeforeAll
    static void start() throws Exception {
        containerd = Containerd.start("k8s.io");
        Path dir = Cleanup.newTempDir("k8srootfs");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Cleanup.unmountAndDelete(dir)));
        rootfs = dir.resolve("rootfs");
        BusyboxRootfs.get().copyTo(rootfs);
        out = new InMemoryOutput();
        Path rules = Files.writeString(dir.resolve("pod-rules.yaml"), POD_RULE);
        // The default sources, and this containerd's metadata store (a node's is /var/lib/containerd, among the defaults).
        monitor = Monitor.start(new RuleLoader(List.of(rules), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO),
                o -> o.withContainers(ContainerSources.defaults().withContainerdRoot(containerd.workDir().resolve("root"))));
    }

    @AfterAll
    static void stop() {
        if (monitor != null) {
            monitor.close();
        }
        if (containerd != null) {
            containerd.close();
        }
    }

    @Test
    void shadowReadInAPodContainerNamesThePod() throws Exception {
        String id = OciRuntime.uniqueId("k8s-app");
        Recorder.Mark mark = out.mark();
        Result r = runInPod(id, List.of("io.kubernetes.pod.name=checkout-5c7d8", "io.kubernetes.pod.namespace=payments",
                "io.kubernetes.container.name=app"), List.of("io.kubernetes.cri.sandbox-name=checkout-5c7d8",
                "io.kubernetes.cri.sandbox-namespace=payments", "io.kubernetes.cri.container-name=app",
                "io.kubernetes.cri.container-type=container"), "cat /etc/shadow >/dev/null 2>&1; echo ok");
        assertThat(r.stdout()).contains("ok");

        Alert a = await(mark, x -> x.rule().equals("Read sensitive file") && x.output().contains("/etc/shadow")
                && x.container().id().equals(id));
        assertThat(a.container().runtime()).isEqualTo("containerd");
        assertThat(a.container().name()).isEqualTo("app");
        assertThat(a.container().podName()).isEqualTo("checkout-5c7d8");
        assertThat(a.container().podNamespace()).isEqualTo("payments");
    }

    /**
     * Labels only, no CRI annotations (what reaches runc's state): the pod and the container's name
     * are containerd's records, read from its metadata store, and rules see them as k8s.* fields.
     */
    @Test
    void podLabelsKeptOnlyByContainerdReachTheRules() throws Exception {
        String id = OciRuntime.uniqueId("k8s-ledger");
        Recorder.Mark mark = out.mark();
        Result r = runInPod(id, List.of("io.kubernetes.pod.name=ledger-7f9c", "io.kubernetes.pod.namespace=payments-ops",
                "io.kubernetes.container.name=ledger"), List.of(), "touch /tmp/x; echo ok");
        assertThat(r.stdout()).contains("ok");

        Alert a = await(mark, x -> x.rule().equals("Exec in the ledger pod of payments-ops") && x.container().id().equals(id));
        assertThat(a.output()).isEqualTo("sh in pod payments-ops/ledger-7f9c container ledger (" + id + ")");
        assertThat(a.container().runtime()).isEqualTo("containerd");
        assertThat(a.container().name()).isEqualTo("ledger");
    }

    @Test
    void generatedProfileAppliedThroughContainerdRefusesAnUnlearnedCall(@TempDir Path dir) throws Exception {
        String workload = "mkdir -p /tmp/w && echo hi > /tmp/w/f && cat /tmp/w/f && rm -r /tmp/w; echo done";
        Path learned = dir.resolve("app.yaml");
        Cli.Run learn = Cli.run("learn", "--runtime", "runc", "--rootfs", rootfs.toString(), "--name", "app",
                "--out", learned.toString(), "--format", "json", "--", "sh", "-c", workload);
        assertThat(learn.exit()).as(learn.err()).isZero();
        Path profile = dir.resolve("app.json");
        Cli.Run gen = Cli.run("seccomp", "generate", learned.toString(), "--runtime", "containerd",
                "--no-new-privileges", "-o", profile.toString());
        assertThat(gen.exit()).as(gen.err()).isZero();
        assertThat(gen.err()).contains("baseline: runc"); // containerd runs runc: its set-up calls

        // no_new_privileges, ctr's default: the filter comes just before the exec. (Without it, runc's
        // init makes chdir and capget under the filter, which the runc baseline does not always hold.)
        List<String> verify = List.of("seccomp", "verify", "--format", "json", "--no-new-privileges", "--profile", profile.toString(),
                "--rootfs", rootfs.toString(), "--runtime", "containerd", "--containerd-address", containerd.socket().toString(),
                "--containerd-namespace", containerd.namespace());
        Cli.Run ok = Cli.run(concat(verify, "--", "sh", "-c", workload));
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).doesNotContain("\"errno\"");

        Cli.Run refused = Cli.run(concat(verify, "--", "sh", "-c", workload + "; mknod /tmp/p p"));
        assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(1);
        assertThat(refused.out()).containsPattern("\"syscall\": \"mknod(at)?\",\\s*\"arch\": \"x86_64\",\\s*\"errno\": \"EPERM\"");
        assertThat(Files.exists(rootfs.resolve("tmp/p"))).isFalse();
    }

    /** {@code ctr run --rm} of {@code sh -c SCRIPT} with containerd labels and OCI annotations. */
    private static Result runInPod(String id, List<String> labels, List<String> annotations, String script) {
        List<String> run = new ArrayList<>(List.of("run", "--rm"));
        labels.forEach(kv -> run.addAll(List.of("--label", kv)));
        annotations.forEach(kv -> run.addAll(List.of("--annotation", kv)));
        run.addAll(List.of("--env", "PATH=/bin:/usr/bin:/sbin:/usr/sbin", "--rootfs", "--", rootfs.toString(), id,
                "sh", "-c", script));
        Result r = containerd.ctr(Duration.ofSeconds(60), run.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r;
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    private static Alert await(Recorder.Mark mark, java.util.function.Predicate<Alert> match) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Alert> a = out.since(mark).stream().filter(match).findFirst();
            if (a.isPresent()) {
                return a.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no alert within " + WAIT + "; since the container ran:\n" + out.since(mark));
    }
}
