package io.eunomia.engine.enforce;

import static io.eunomia.engine.enforce.EnforcingCli.rule;
import static io.eunomia.engine.enforce.EnforcingCli.violations;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.eunomia.engine.enforce.ProfileFixtures.Learned;
import io.eunomia.testkit.AlertmanagerServer;
import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.PrometheusServer;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import io.eunomia.testkit.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Monitor mode, for real: a busybox workload is learned in runc, then {@code eunomia enforce
 * --mode monitor} (the CLI in its own JVM) watches new containers of the same name. The same
 * workload raises nothing; one extra syscall, an exec of a new file and a capability outside the
 * profile each raise their alert, naming the container, and count in the metric.
 *
 * Alerts reach stdout, the alert file and a real Alertmanager; a real Prometheus scrapes the CLI
 * and the shipped rule EunomiaEnforcementViolations fires on the metric.
 *
 * <p>Absence is asserted only after a sentinel: once the workload is done the test execs /probe in
 * the container (an unlearned executable); its alert comes through the same ring buffer and
 * pipeline after everything the workload did.
 */
class ProfileMonitorLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String SYSCALL = "Syscall outside learned profile";
    private static final String EXEC = "Unlearned executable";
    private static final String CAP = "Capability outside learned profile";
    private static final Path ALERT_RULES = Path.of("..", "policies", "prometheus", "eunomia-alerts.yml").toAbsolutePath().normalize();

    private static Path dir;
    private static Runc runc;
    private static Learned learned;
    private static String flood;
    private static EnforcingCli cli;
    private static WebhookReceiver hook;
    private static AlertmanagerServer am;
    private static PrometheusServer prom;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("eunomia-monitor-");
        runc = new Runc();
        learned = ProfileFixtures.learned(runc);
        flood = Runc.uniqueId("enf-flood");
        Path floodProfile = ProfileFixtures.probeProfile(dir, flood, Set.of("getppid"));
        hook = WebhookReceiver.start();
        am = AlertmanagerServer.start(hook.url());
        cli = EnforcingCli.start("enforce", "--mode", "monitor", "--profile", learned.file().toString(),
                "--profile", floodProfile.toString(), "--output-file", dir.resolve("alerts.jsonl").toString(),
                "--alertmanager", am.url());
        prom = PrometheusServer.start(cli.metricsTarget(), List.of(ALERT_RULES), am.url().substring("http://".length()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {prom, cli, am, hook}) {
            if (c != null) {
                c.close();
            }
        }
        if (runc != null) {
            runc.close();
        }
        Cleanup.unmountAndDelete(dir);
    }

    /** A container's run: the alerts about what its workload did (the sentinels' own left out). */
    private record Run(List<String> alerts) {}

    /**
     * Runs the workload with extra commands in a new container of the learned name, then two
     * sentinels one after the other: an exec of /probe, an unlearned executable, whose alert
     * comes through the same ring buffer and pipeline after the workload's events. Alerts of one
     * batch of events may be written in any order, so the second sentinel's alert proves that the
     * first one's batch, and so all the workload's, is out.
     */
    private static Run run(String extra) throws Exception {
        String name = learned.container();
        Recorder.Mark mark = cli.mark();
        try (RunningContainer c = runc.start(name, ProfileFixtures.spec("sh", "-c", ProfileFixtures.workload(extra)))) {
            ProfileFixtures.awaitDone(c);
            Set<Long> sentinels = new java.util.HashSet<>();
            JsonNode last = null;
            for (int i = 0; i < 2; i++) {
                Recorder.Mark before = cli.mark();
                Result r = runc.exec(Duration.ofSeconds(20), "exec", name, "/probe", "say", "sentinel");
                assertThat(r.stdout()).as(r.toString()).contains("sentinel");
                last = cli.await(before, a -> rule(EXEC, name).test(a) && a.path("output").asText().contains("exe=/probe"), WAIT);
                sentinels.add(last.path("event").path("process").path("pid").asLong());
            }
            List<JsonNode> all = cli.alerts();
            return new Run(all.subList(mark.position(), all.indexOf(last)).stream()
                    .filter(a -> a.path("container").path("name").asText().equals(name))
                    .filter(a -> !sentinels.contains(a.path("event").path("process").path("pid").asLong()))
                    .map(a -> a.path("rule").asText() + ": " + a.path("output").asText()).toList());
        }
    }

    @Test
    void theLearnedWorkloadRaisesNothing() throws Exception {
        assertThat(run("").alerts()).as("alerts of the learned workload").isEmpty();
        assertThat(cli.readyLine()).contains("monitor mode with 2 profiles");
    }

    @Test
    void anExtraSyscallIsReportedWithContainerAndSyscall() throws Exception {
        String name = learned.container();
        double before = cli.metric(violations(name, "syscall"));
        Recorder.Mark mark = cli.mark();
        assertThat(run("mkfifo /tmp/w/p").alerts()).anySatisfy(a -> assertThat(a).startsWith(SYSCALL)
                .contains("syscall=mknodat", "container=" + name, "action=reported", "profile=" + name));
        JsonNode alert = cli.await(mark, a -> rule(SYSCALL, name).test(a) && a.path("output").asText().contains("syscall=mknodat"), WAIT);
        assertThat(alert.path("event").path("type").asText()).isEqualTo("violation");
        assertThat(alert.path("tags").toString()).contains("T1611");
        assertThat(cli.metric(violations(name, "syscall"))).isGreaterThan(before);
        // the file output has it too, and Alertmanager
        assertThat(Files.readString(dir.resolve("alerts.jsonl"))).contains("syscall=mknodat");
        // From the start of the recording: Alertmanager notifies a label set once an hour, and an earlier
        // syscall alert of this container (a sentinel's) may be the one it sent.
        WebhookReceiver.Received pushed = hook.expectAfter(new Recorder.Mark(0),
                r -> r.label("alertname").equals(SYSCALL) && r.label("container_name").equals(name), WAIT,
                "syscall alert of " + name + " pushed to Alertmanager");
        assertThat(pushed.label("tags")).contains("T1611");
        // Prometheus scraped the metric and the shipped rule fired on it (once per label set and hour:
        // this container's first violation in this class, a sentinel's or this one, set it off)
        WebhookReceiver.Received rule = hook.expectAfter(new Recorder.Mark(0), r -> r.label("alertname").equals("EunomiaEnforcementViolations")
                && r.label("container").equals(name), Duration.ofSeconds(40), "EunomiaEnforcementViolations through Prometheus");
        assertThat(rule.label("severity")).isEqualTo("warning");
    }

    @Test
    void anExecOfANewFileIsAnUnlearnedExecutable() throws Exception {
        assertThat(run("cp /bin/busybox /tmp/nb && /tmp/nb true").alerts()).anySatisfy(a -> assertThat(a).startsWith(EXEC)
                .contains("exe=/tmp/nb", "container=" + learned.container()));
    }

    @Test
    void aCapabilityOutsideTheProfileIsReported() throws Exception {
        // runc's default set has no CAP_CHOWN: the check is made and refused; the workload never made it
        assertThat(run("chown 1:1 /tmp/w/f").alerts()).anySatisfy(a -> assertThat(a).startsWith(CAP)
                .contains("capability=CAP_CHOWN", "granted=false", "container=" + learned.container()));
    }

    @Test
    void aForbiddenCallInATightLoopYieldsFewAlertsAndAnExactCount() throws Exception {
        int n = 1_000_000;
        // a million getppid, then, in a new rate-limit window, one more: its report carries what was held back.
        // It waits to be classified first: before, the kernel records which calls were made, not how often.
        // 5 s, not a gate: a shell gate's polling calls are not in this probe's learned profile, and the
        // classification of a loaded machine's new container took over 1 s.
        long started = System.nanoTime();
        Result r = runc.run(flood, ProfileFixtures.spec("/probe", "sleep", "5000", "syscall", "110", Integer.toString(n), "sleep", "1200",
                "syscall", "110", "say", "done"), Duration.ofSeconds(120));
        assertThat(r.stdout()).as(r.toString()).contains("done");
        // The kernel lets 10 reports a second through per namespace and kind: a loop that runs long
        // under load gets more windows, never more than 10 reports in each.
        long windows = Duration.ofNanos(System.nanoTime() - started).toSeconds() + 2;
        long total = n + 1;
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<JsonNode> alerts;
        long accounted;
        do {
            Thread.sleep(100);
            alerts = cli.alertsFor(flood).stream().filter(a -> a.path("output").asText().contains("syscall=getppid")).toList();
            accounted = alerts.stream().mapToLong(a -> 1 + a.path("event").path("suppressed").asLong()).sum();
        } while (accounted < total && System.nanoTime() < deadline);
        assertThat(accounted).as("reports plus what they say was suppressed").isEqualTo(total);
        assertThat(alerts.size()).as("reports for %d violations", total).isBetween(2, (int) Math.min(10 * windows, 10_000));
        assertThat(alerts.getLast().path("event").path("total").asLong()).isEqualTo(total);
        assertThat(cli.metric(violations(flood, "syscall"))).isEqualTo((double) total);
    }
}
