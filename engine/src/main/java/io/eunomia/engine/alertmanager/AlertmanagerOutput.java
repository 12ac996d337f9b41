package io.eunomia.engine.alertmanager;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.metrics.OutputMetrics;
import io.eunomia.engine.output.AlertOutput;
import io.eunomia.event.ContainerInfo;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Alerts to Alertmanager with the labels its users route on: alertname and rule (the rule's
 * name), priority, severity (emergency/alert/critical → critical, error/warning → warning, the
 * rest → info), container_id, container_name, image, hostname, tags, and the rule's grouping fields
 * (fd.name → fd_name; {@link io.eunomia.engine.alert.AlertGroup}); annotations summary (the
 * rendered output; for an aggregated summary followed by "(N more times in M s)") and description.
 * endsAt is the last occurrence + expiry, so an alert resolves by itself when the rule stops firing.
 */
public final class AlertmanagerOutput implements AlertOutput {
    private final AlertmanagerSender sender;
    private final Duration expiry;
    private final String hostname;

    public AlertmanagerOutput(List<URI> alertmanagers, Duration expiry, AlertmanagerSender.Settings settings) {
        this.sender = new AlertmanagerSender(alertmanagers, settings);
        this.expiry = expiry;
        this.hostname = hostname();
    }

    @Override
    public void emit(Alert alert) {
        sender.offer(toAmAlert(alert));
    }

    AmAlert toAmAlert(Alert a) {
        ContainerInfo c = a.container();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", a.rule());
        labels.put("rule", a.rule());
        labels.put("priority", a.priority().name().toLowerCase(Locale.ROOT));
        labels.put("severity", a.priority().severity());
        labels.put("container_id", c.id());
        labels.put("container_name", c.name());
        labels.put("image", c.image());
        labels.put("hostname", hostname);
        labels.put("tags", String.join(",", a.tags()));
        // The grouping fields tell one behaviour of a rule from another: routable, and what keeps
        // two groups of one rule in one container two Alertmanager alerts.
        a.group().forEach((field, value) -> labels.putIfAbsent(labelName(field), value.equals("<NA>") ? "" : value));
        labels.values().removeIf(String::isEmpty); // Alertmanager treats an empty label as absent
        Map<String, String> annotations = new LinkedHashMap<>();
        // A summary re-sends the alert (same labels): Alertmanager keeps the earliest startsAt, takes
        // these annotations and extends endsAt to the last repeat plus the expiry.
        annotations.put("summary", a.summary()
                ? a.output() + " (" + a.repeats() + ")"
                : a.output());
        annotations.put("description", a.rule() + " (" + a.source() + ")");
        Instant starts = Instant.ofEpochSecond(0, a.summary() ? a.firstNanos() : a.epochNanos());
        Instant ends = Instant.ofEpochSecond(0, a.summary() ? a.lastNanos() : a.epochNanos()).plus(expiry);
        return new AmAlert(labels, annotations, starts, ends, "");
    }

    /** A field as a Prometheus label name: fd.name → fd_name. */
    static String labelName(String field) {
        return field.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** eunomia_output_failures_total and eunomia_dropped_events_total for this output. */
    public void bindTo(MeterRegistry registry) {
        new OutputMetrics<>("alertmanager", sender, AlertmanagerSender::stats).bindTo(registry);
        FunctionCounter.builder("eunomia.alertmanager.sent", sender, AlertmanagerSender::sent)
                .description("Alerts an Alertmanager accepted (each Alertmanager counts its own)")
                .register(registry);
    }

    public AlertmanagerSender sender() {
        return sender;
    }

    @Override
    public void close() {
        sender.close();
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null ? "" : env;
        }
    }
}
