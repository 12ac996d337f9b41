package io.eunomia.engine.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.eunomia.engine.config.ConfigLoader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Kubernetes manifests (policies/kubernetes) read into the fabric8 Kubernetes model:
 * a field the API does not have (a typo, a wrong level) fails, as the API server's strict field
 * validation would. The embedded configuration is loaded by the engine's own loader, and the
 * scrape configuration passes promtool.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "policies", "kubernetes").toAbsolutePath().normalize();
    private static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.of("v1/Namespace", Namespace.class,
            "v1/ServiceAccount", ServiceAccount.class, "v1/ConfigMap", ConfigMap.class, "v1/Service", Service.class,
            "apps/v1/DaemonSet", DaemonSet.class);
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            var it = new YAMLMapper().readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isEmpty()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** Reads a document into its model class; fails on any field the model (the API) does not know, at any depth. */
    static <T extends KubernetesResource> T strict(JsonNode doc, Class<T> type) throws Exception {
        T value = STRICT.treeToValue(doc, type);
        List<String> unknown = new ArrayList<>();
        unknownFields(value, type.getSimpleName(), unknown, new IdentityHashMap<>());
        assertThat(unknown).as("fields the Kubernetes API does not have").isEmpty();
        return value;
    }

    /** fabric8's classes keep unknown fields in additionalProperties instead of failing: look there. */
    private static void unknownFields(Object o, String at, List<String> out, IdentityHashMap<Object, Boolean> seen) throws Exception {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) {
                unknownFields(x, at + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                unknownFields(e.getValue(), at + "." + e.getKey(), out, seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.") || o instanceof Quantity
                || o.getClass().getSimpleName().equals("IntOrString")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || g.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v = g.invoke(o);
            if (g.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(at + ": " + extra.keySet());
                }
                continue;
            }
            unknownFields(v, at + "." + g.getName().substring(3), out, seen);
        }
    }

    @Test
    void everyManifestIsAKubernetesObjectWithoutUnknownFields() throws Exception {
        List<String> kinds = new ArrayList<>();
        for (JsonNode doc : documents(DIR.resolve("eunomia-daemonset.yaml"))) {
            String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
            assertThat(KINDS).as("a kind this test knows: " + key).containsKey(key);
            strict(doc, KINDS.get(key));
            kinds.add(doc.path("kind").asText());
        }
        assertThat(kinds).containsExactly("Namespace", "ServiceAccount", "ConfigMap", "DaemonSet", "Service");
    }

    @Test
    void aMisspelledFieldIsCaught() throws Exception {
        JsonNode ds = documents(DIR.resolve("eunomia-daemonset.yaml")).get(3).deepCopy();
        ((ObjectNode) ds.path("spec").path("template").path("spec")).put("hostPid", true);   // hostPID
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> strict(ds, DaemonSet.class))
                .hasMessageContaining("DaemonSet.Spec.Template.Spec: [hostPid]");
    }

    @Test
    void theDaemonSetRunsPrivilegedInTheHostPidNamespaceWithReadOnlyHostMountsAndProbesOnMetrics() throws Exception {
        List<JsonNode> docs = documents(DIR.resolve("eunomia-daemonset.yaml"));
        DaemonSet ds = strict(docs.get(3), DaemonSet.class);
        var pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostPID()).isTrue();
        Container c = pod.getContainers().getFirst();
        assertThat(c.getSecurityContext().getPrivileged()).isTrue();
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/metrics");
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
        assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("metrics:9464");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");
        for (VolumeMount m : c.getVolumeMounts()) {
            var v = pod.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst().orElseThrow();
            if (v.getHostPath() != null && !m.getMountPath().equals("/run/eunomia")) {
                assertThat(m.getReadOnly()).as("host path " + v.getHostPath().getPath() + " read-only").isTrue();
            }
        }
        assertThat(ds.getSpec().getSelector().getMatchLabels()).isEqualTo(ds.getSpec().getTemplate().getMetadata().getLabels());
        Service svc = strict(docs.get(4), Service.class);
        assertThat(svc.getSpec().getSelector()).isEqualTo(ds.getSpec().getSelector().getMatchLabels());
        assertThat(svc.getSpec().getPorts().getFirst().getTargetPort().getStrVal()).isEqualTo("metrics");
    }

    @Test
    void theEmbeddedConfigurationLoadsAndServesMetricsBeyondTheNode(@TempDir Path tmp) throws Exception {
        ConfigMap cm = strict(documents(DIR.resolve("eunomia-daemonset.yaml")).get(2), ConfigMap.class);
        Path file = Files.writeString(tmp.resolve("eunomia.yaml"), cm.getData().get("eunomia.yaml"));
        var config = ConfigLoader.load(file);
        assertThat(config.metrics().address()).isEqualTo("0.0.0.0:9464");
        assertThat(config.outputs().alertmanager().urls()).hasSize(1);
    }

    @Test
    void theServiceMonitorSelectsTheAgentsAndTheScrapeConfigPassesPromtool(@TempDir Path tmp) throws Exception {
        JsonNode sm = documents(DIR.resolve("eunomia-servicemonitor.yaml")).getFirst();
        assertThat(sm.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(sm.path("kind").asText()).isEqualTo("ServiceMonitor");
        // The operator's CRD is not in the core model: its metadata is, and the rest is checked by what it must match.
        strict(sm.path("metadata"), io.fabric8.kubernetes.api.model.ObjectMeta.class);
        DaemonSet ds = STRICT.treeToValue(documents(DIR.resolve("eunomia-daemonset.yaml")).get(3), DaemonSet.class);
        assertThat(STRICT.convertValue(sm.path("spec").path("selector").path("matchLabels"), Map.class))
                .isEqualTo(ds.getSpec().getSelector().getMatchLabels());
        assertThat(sm.path("spec").path("endpoints").get(0).path("port").asText()).isEqualTo("metrics");
        assertThat(sm.path("spec").fieldNames()).toIterable().containsExactlyInAnyOrder("jobLabel", "selector",
                "namespaceSelector", "endpoints");

        // Debian's Prometheus is built without Kubernetes discovery ("field kubernetes_sd_configs not
        // found"): the discovery block is checked here, promtool checks the rest (relabelling, rules,
        // alerting) with a static target in its place.
        ObjectNode scrape = (ObjectNode) documents(DIR.resolve("prometheus-scrape.yml")).getFirst();
        ObjectNode job = (ObjectNode) scrape.path("scrape_configs").get(0);
        assertThat(job.path("job_name").asText()).isEqualTo("eunomia");
        JsonNode sd = job.remove("kubernetes_sd_configs").get(0);
        assertThat(sd.path("role").asText()).isEqualTo("pod");
        assertThat(sd.path("namespaces").path("names")).extracting(JsonNode::asText).containsExactly("eunomia");
        job.putArray("static_configs").addObject().putArray("targets").add("127.0.0.1:9464");
        new YAMLMapper().writeValue(tmp.resolve("prometheus.yml").toFile(), scrape);
        Files.copy(DIR.resolve("..").resolve("prometheus").resolve("eunomia-alerts.yml"), tmp.resolve("eunomia-alerts.yml"));
        Process p = new ProcessBuilder("promtool", "check", "config", "prometheus.yml").directory(tmp.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS: 1 rule files found");
    }

    /** The agents' Alertmanager URL, from the ConfigMap the DaemonSet mounts. */
    private static java.net.URI agentAlertmanager(Path tmp) throws Exception {
        List<JsonNode> docs = documents(DIR.resolve("eunomia-daemonset.yaml"));
        ConfigMap cm = strict(docs.get(2), ConfigMap.class);
        DaemonSet ds = strict(docs.get(3), DaemonSet.class);
        var pod = ds.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().getFirst();
        // The configuration read is this ConfigMap's: mounted where --config points.
        var configVolume = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null
                && v.getConfigMap().getName().equals(cm.getMetadata().getName())).findFirst().orElseThrow();
        String mountPath = c.getVolumeMounts().stream().filter(m -> m.getName().equals(configVolume.getName())).findFirst()
                .orElseThrow().getMountPath();
        assertThat(c.getArgs()).contains("--config=" + mountPath + "/eunomia.yaml");
        Path file = Files.writeString(tmp.resolve("agent.yaml"), cm.getData().get("eunomia.yaml"));
        List<String> urls = ConfigLoader.load(file).outputs().alertmanager().urls();
        assertThat(urls).hasSize(1);
        return java.net.URI.create(urls.getFirst());
    }

    @Test
    void theAgentsAndPrometheusSendToOneInClusterAlertmanagerThatRoutesEverySeverity(@TempDir Path tmp) throws Exception {
        java.net.URI am = agentAlertmanager(tmp);
        assertThat(am.getScheme()).isEqualTo("http");
        assertThat(am.getHost()).as("a Service of the cluster (SERVICE.NAMESPACE.svc)")
                .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.svc(\\.cluster\\.local)?");
        assertThat(am.getPort()).isEqualTo(9093);
        assertThat(am.getPath()).isEmpty();

        // Prometheus (without the operator) sends the agents' health alerts to the same Alertmanager.
        JsonNode scrape = documents(DIR.resolve("prometheus-scrape.yml")).getFirst();
        assertThat(scrape.path("alerting").path("alertmanagers").findValues("targets")).singleElement()
                .satisfies(t -> assertThat(t).extracting(JsonNode::asText).containsExactly(am.getHost() + ":" + am.getPort()));

        // With the operator: the same alerting rules as a PrometheusRule, and they pass promtool.
        JsonNode rule = documents(DIR.resolve("eunomia-prometheusrule.yaml")).getFirst();
        assertThat(rule.path("apiVersion").asText() + "/" + rule.path("kind").asText())
                .isEqualTo("monitoring.coreos.com/v1/PrometheusRule");
        strict(rule.path("metadata"), io.fabric8.kubernetes.api.model.ObjectMeta.class);
        assertThat(rule.path("metadata").path("namespace").asText()).isEqualTo("eunomia");
        assertThat(rule.path("spec").fieldNames()).toIterable().containsExactly("groups");
        JsonNode shipped = documents(DIR.resolve("..").resolve("prometheus").resolve("eunomia-alerts.yml")).getFirst();
        assertThat(rule.path("spec").path("groups")).as("the same rules as policies/prometheus/eunomia-alerts.yml")
                .isEqualTo(shipped.path("groups"));
        new YAMLMapper().writeValue(tmp.resolve("rules.yml").toFile(), rule.path("spec"));
        assertThat(tool(tmp, "promtool", "check", "rules", "rules.yml")).contains("SUCCESS");

        // Every severity the agents send (rules.Priority) reaches a receiver of the shipped Alertmanager routes.
        Path amConfig = DIR.resolve("..").resolve("alertmanager").resolve("alertmanager.yml");
        Map<String, String> expected = Map.of("critical", "on-call", "warning", "security-team", "info", "audit-log");
        for (io.eunomia.rules.Priority p : io.eunomia.rules.Priority.values()) {
            String routed = tool(tmp, "amtool", "config", "routes", "test", "--config.file=" + amConfig,
                    "alertname=Read sensitive file", "rule=Read sensitive file", "severity=" + p.severity()).strip();
            assertThat(routed).as(p + " (" + p.severity() + ")").isEqualTo(expected.get(p.severity()));
        }
    }

    /** A tool's stdout (its stderr, where amtool warns about flags, only in the failure message). */
    private static String tool(Path dir, String... cmd) throws Exception {
        Path err = dir.resolve("tool.err");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out + Files.readString(err)).isZero();
        return out;
    }
}
