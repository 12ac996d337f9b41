package io.eunomia.bench;

import io.eunomia.engine.alertmanager.AlertmanagerOutput;
import io.eunomia.engine.alertmanager.AlertmanagerSender;
import io.eunomia.engine.pipeline.Monitor;
import io.eunomia.engine.pipeline.Pipeline;
import io.eunomia.engine.pipeline.RuleLoader;
import io.eunomia.testkit.AlertmanagerServer;
import io.eunomia.testkit.WebhookReceiver;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Kernel event → webhook receipt latency by direct push: the monitor pushes to a real
 * Alertmanager ({@code group_wait: 0s}) that notifies a webhook. Each probe opens a different file
 * matched by its own rule, so every alert is new to Alertmanager (it does not re-send an active
 * alert); latency = receipt time − the event's kernel time.
 */
final class AlertLatencyBench {
    private AlertLatencyBench() {}

    static void run(boolean quick) throws Exception {
        int warmup = 5; // the first alerts pay class loading, JIT and the first HTTP connections
        int measured = quick ? 30 : 100;
        int probes = warmup + measured;
        Path dir = Files.createTempDirectory("eunomia-latency");
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < probes; i++) {
            Files.writeString(dir.resolve("probe-" + i), "x");
            rules.append("- rule: Latency probe ").append(i).append('\n')
                    .append("  desc: opens probe file ").append(i).append('\n')
                    .append("  condition: evt.type = open and fd.name = ").append(dir.resolve("probe-" + i)).append('\n')
                    .append("  output: \"probe %fd.name\"\n  priority: WARNING\n");
        }
        Path ruleFile = Files.writeString(dir.resolve("probes.yaml"), rules);
        try (WebhookReceiver hook = WebhookReceiver.start();
             AlertmanagerServer am = AlertmanagerServer.start(hook.url())) {
            AlertmanagerOutput out = new AlertmanagerOutput(List.of(URI.create(am.url())), Duration.ofMinutes(5),
                    AlertmanagerSender.Settings.defaults());
            try (Monitor monitor = Monitor.start(new RuleLoader(List.of(ruleFile), false), out,
                    Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o)) {
                long[] all = new long[probes];
                for (int i = 0; i < probes; i++) {
                    var before = hook.mark();
                    new ProcessBuilder("cat", dir.resolve("probe-" + i).toString())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                    String name = "Latency probe " + i;
                    WebhookReceiver.Received r = hook.awaitAfter(before, x -> x.label("alertname").equals(name),
                            Duration.ofSeconds(10)).orElseThrow(() -> new IllegalStateException("no webhook notification for " + name));
                    Instant event = Instant.parse(r.alert().path("startsAt").asText());
                    all[i] = r.receivedEpochNanos() - (event.getEpochSecond() * 1_000_000_000L + event.getNano());
                    Thread.sleep(100); // ~10 alerts/s: a steady trickle, not a burst
                }
                long[] latencies = Arrays.copyOfRange(all, warmup, probes);
                Arrays.sort(latencies);
                System.out.println();
                System.out.printf("Kernel event -> Alertmanager webhook, direct push, %d alerts after %d warm-up (group_wait 0s); "
                        + "first alert of the JVM %.1f ms%n", measured, warmup, all[0] / 1e6);
                System.out.printf("p50 %.1f ms   p99 %.1f ms   max %.1f ms%n", pct(latencies, 0.50) / 1e6,
                        pct(latencies, 0.99) / 1e6, latencies[latencies.length - 1] / 1e6);
            } finally {
                out.close();
            }
        }
    }

    private static double pct(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
