package io.eunomia.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.EunomiaProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `monitor --rule-cache DIR`: the first start compiles and keeps the build, the next loads it. */
class MonitorRuleCacheTest {
    @Test
    void aRestartWithTheSameRulesLoadsTheCompiledBuild(@TempDir Path dir) throws Exception {
        Path rule = Files.writeString(dir.resolve("r.yaml"), """
                - rule: Cache probe
                  desc: a rule only this test uses
                  condition: evt.type = openat and fd.name = /nonexistent/eunomia-cache-probe
                  output: probe %fd.name
                  priority: NOTICE
                """);
        Path cache = dir.resolve("cache");
        assertThat(start(rule, cache)).contains("rules compiled, build");
        try (var files = Files.list(cache)) {
            assertThat(files.map(f -> f.getFileName().toString())).singleElement()
                    .satisfies(n -> assertThat(n).endsWith(".kjar"));
        }
        assertThat(start(rule, cache)).contains("rules loaded from an earlier build");
    }

    /** Runs monitor until ready; returns its stderr up to the ready line. */
    private static String start(Path rule, Path cache) throws Exception {
        ProcessBuilder pb = EunomiaProcess.builder(java.util.List.of(), Map.of("EUNOMIA_LOG", "debug"),
                System.getProperty("java.class.path"), "monitor", "--no-default-rules", "--rules", rule.toString(),
                "--rule-cache", cache.toString(), "--no-metrics", "--duration", "0.2");
        Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = err.readLine(); line != null; line = err.readLine()) {
                seen.append(line).append('\n');
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(seen.toString()).isZero();
        return seen.toString();
    }
}
