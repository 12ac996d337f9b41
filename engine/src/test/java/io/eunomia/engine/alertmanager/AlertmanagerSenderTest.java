package io.eunomia.engine.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.AlertmanagerServer;
import io.eunomia.testkit.WebhookReceiver;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The sender against a real Alertmanager (started by the test) and a webhook receiver. */
class AlertmanagerSenderTest {
    private static final AlertmanagerSender.Settings FAST = new AlertmanagerSender.Settings(
            100, 16, 3, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(2));

    private static AmAlert alert(String id) {
        Instant now = Instant.now();
        return new AmAlert(Map.of("alertname", "Read sensitive file", "severity", "warning", "test_id", id),
                Map.of("summary", "cat read /etc/shadow"), now, now.plusSeconds(300), "");
    }

    @Test
    void deliversToAlertmanagerAndThroughItsWebhook() throws Exception {
        try (WebhookReceiver hook = WebhookReceiver.start();
             AlertmanagerServer am = AlertmanagerServer.start(hook.url());
             AlertmanagerSender sender = new AlertmanagerSender(List.of(URI.create(am.url())), FAST)) {
            String id = UUID.randomUUID().toString();
            var before = hook.mark();
            assertThat(sender.offer(alert(id))).isTrue();
            WebhookReceiver.Received r = hook.expectAfter(before, x -> x.label("test_id").equals(id), Duration.ofSeconds(60),
                    "alert through Alertmanager to the webhook");
            assertThat(r.label("alertname")).isEqualTo("Read sensitive file");
            assertThat(r.annotation("summary")).isEqualTo("cat read /etc/shadow");
            // Alertmanager may notify the webhook before its reply to our POST arrives.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sender.sent() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(sender.sent()).isEqualTo(1);
            assertThat(sender.dropped()).isZero();
        }
    }

    @Test
    void outageIsRetriedThenCountedAndDeliveryResumes() throws Exception {
        try (WebhookReceiver hook = WebhookReceiver.start();
             AlertmanagerServer am = AlertmanagerServer.start(hook.url());
             AlertmanagerSender sender = new AlertmanagerSender(List.of(URI.create(am.url())), FAST)) {
            am.stopProcess();
            sender.offer(alert("during-outage"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sender.dropped() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(sender.dropped()).as("retries spent, alert counted as dropped").isEqualTo(1);
            assertThat(sender.failedRequests()).isEqualTo(FAST.maxAttempts());

            am.startProcess();
            String id = UUID.randomUUID().toString();
            var before = hook.mark();
            sender.offer(alert(id));
            hook.expectAfter(before, x -> x.label("test_id").equals(id), Duration.ofSeconds(60), "alert after the outage");
        }
    }

    @Test
    void anAlertmanagerThatIsDownDelaysNothingForTheOthers() throws Exception {
        // The dead one (nothing listens on port 9) would hold a shared sender for 60 s of backoff; the live
        // one's delivery is awaited for less than the first backoff (generous for a loaded machine).
        AlertmanagerSender.Settings slowRetries = new AlertmanagerSender.Settings(
                100, 16, 3, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(1));
        try (WebhookReceiver hook = WebhookReceiver.start();
             AlertmanagerServer am = AlertmanagerServer.start(hook.url())) {
            AlertmanagerSender sender = new AlertmanagerSender(
                    List.of(URI.create("http://127.0.0.1:9"), URI.create(am.url())), slowRetries);
            String id = UUID.randomUUID().toString();
            var before = hook.mark();
            assertThat(sender.offer(alert(id))).isTrue();
            hook.expectAfter(before, x -> x.label("test_id").equals(id), Duration.ofSeconds(25),
                    "alert through the live Alertmanager while the other one is retried");
            sender.close(); // the dead one's alert is still waiting for its retry: given up and counted
            assertThat(sender.sent()).isEqualTo(1);
            assertThat(sender.dropped()).isEqualTo(1);
            assertThat(sender.failedRequests()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aUrlWithoutSchemeIsRefusedAtOnce() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new AlertmanagerSender(List.of(URI.create("localhost:9093")), FAST).close())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)://HOST:PORT");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        // The sender holds its one batch for a 5 s backoff: the queue stays full as long as the offers may take.
        AlertmanagerSender.Settings tiny = new AlertmanagerSender.Settings(
                2, 1, 2, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(200));
        // Nothing listens on port 9 of loopback: every request fails.
        try (AlertmanagerSender sender = new AlertmanagerSender(List.of(URI.create("http://127.0.0.1:9")), tiny)) {
            long t0 = System.nanoTime();
            int accepted = 0;
            for (int i = 0; i < 50; i++) {
                accepted += sender.offer(alert("flood-" + i)) ? 1 : 0;
            }
            // 50 offers against a dead endpoint return at once (a blocking offer would take ~5 s each here).
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(accepted).isLessThanOrEqualTo(3);
            assertThat(sender.dropped()).isGreaterThanOrEqualTo(47);
        }
    }
}
