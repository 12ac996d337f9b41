package io.eunomia.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Prometheus rules and Alertmanager configuration under policies/ pass the tools' own checks. */
class ShippedPoliciesTest {
    private static final Path POLICIES = Path.of("..", "policies").toAbsolutePath().normalize();

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out).isZero();
        return out;
    }

    @Test
    void prometheusRulesAreValidAndTheirUnitTestsPass() throws Exception {
        Path prom = POLICIES.resolve("prometheus");
        assertThat(Files.isRegularFile(prom.resolve("eunomia-alerts.yml"))).isTrue();
        assertThat(run(prom, "promtool", "check", "rules", "eunomia-alerts.yml")).contains("SUCCESS");
        assertThat(run(prom, "promtool", "test", "rules", "tests/eunomia-alerts.test.yml")).contains("SUCCESS");
    }

    @Test
    void theScrapeExampleIsValidAndNamesTheJobTheRulesSelect() throws Exception {
        Path prom = POLICIES.resolve("prometheus");
        assertThat(run(prom, "promtool", "check", "config", "prometheus.yml")).contains("SUCCESS: 1 rule files found");
        String scrape = Files.readString(prom.resolve("prometheus.yml"));
        String rules = Files.readString(prom.resolve("eunomia-alerts.yml"));
        java.util.Set<String> jobs = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("job=\"([^\"]+)\"").matcher(rules);
        while (m.find()) {
            jobs.add(m.group(1));
        }
        assertThat(jobs).containsExactly("eunomia");
        assertThat(scrape).containsPattern("(?m)^\\s*- job_name: eunomia\\b").contains("--metrics-address 0.0.0.0:9464");
    }

    @Test
    void alertmanagerExampleConfigIsValid() throws Exception {
        assertThat(run(POLICIES, "amtool", "check-config", "alertmanager/alertmanager.yml")).contains("SUCCESS");
    }
}
