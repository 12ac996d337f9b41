package io.eunomia.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("eunomia.yaml"), yaml);
    }

    @Test
    void theShippedExampleLoads() throws Exception {
        EngineConfig c = ConfigLoader.load(Path.of("..", "policies", "eunomia.yaml"));
        assertThat(c.metrics().address()).isEqualTo("127.0.0.1:9464");
        assertThat(c.outputs().stdout().format()).isEqualTo("text");
        assertThat(c.rules().defaults()).isTrue();
        assertThat(c.rules().cache()).isEqualTo("/var/cache/eunomia/rules");
    }

    @Test
    void readsEveryPart() throws Exception {
        EngineConfig c = ConfigLoader.load(write("""
                rules: {paths: [/etc/eunomia/rules], defaults: false, cache: "off"}
                outputs:
                  file: {path: /var/log/eunomia/alerts.jsonl, maxMb: 10, keep: 3}
                  alertmanager: {urls: ['http://127.0.0.1:9093', 'http://127.0.0.1:9094'], expirySeconds: 60}
                aggregateSeconds: 0
                """));
        assertThat(c.rules().paths()).containsExactly("/etc/eunomia/rules");
        assertThat(c.rules().cache()).isEqualTo("off");
        assertThat(c.outputs().file().keep()).isEqualTo(3);
        assertThat(c.outputs().alertmanager().urls()).hasSize(2);
        assertThat(c.aggregateSeconds()).isZero();
    }

    @Test
    void unknownKeysSayWhereAndWhatIsExpected() throws Exception {
        Path f = write("""
                outputs:
                  stdout:
                    fromat: json
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(f + ":3:")
                .hasMessageContaining("unknown key 'fromat'")
                .hasMessageContaining("expected one of: format");
    }

    @Test
    void badValuesAreErrorsAtTheirLineAndColumnInTheFilesOwnTerms() throws Exception {
        Path f = dir.resolve("eunomia.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(write("aggregateSeconds: soon\n")))
                .hasMessage(f + ":1:19: aggregateSeconds: 'soon' is not a number");
        assertThatThrownBy(() -> ConfigLoader.load(write("outputs:\n  stdout:\n    format: xml\n")))
                .hasMessage(f + ":3:13: outputs.stdout.format: 'xml' is not a format: use text, json or csv");
        assertThatThrownBy(() -> ConfigLoader.load(write("outputs: {alertmanager: {urls: [http://127.0.0.1:9093, localhost:9093]}}\n")))
                .hasMessageStartingWith(f + ":1:56: outputs.alertmanager.urls[1]: 'localhost:9093' is not an http(s) URL");
        assertThatThrownBy(() -> ConfigLoader.load(write("metrics: {address: 9464}\n")))
                .hasMessageStartingWith(f + ":1:20: metrics.address: '9464' is not HOST:PORT");
        assertThatThrownBy(() -> ConfigLoader.load(write("outputs:\n  file:\n    keep: 2.5\n")))
                .hasMessage(f + ":3:11: outputs.file.keep: '2.5' is not a whole number");
        assertThatThrownBy(() -> ConfigLoader.load(write("ringMiB: 3\n")))
                .hasMessage(f + ":1:10: ringMiB: 3 is not allowed for the ring buffer size: give a power of two from 1 to 1024 "
                        + "(MiB: 1, 2, 4, 8, ... 1024; default 4)");
        assertThatThrownBy(() -> ConfigLoader.load(write("outputs:\n  file: {maxMb: 0}\n")))
                .hasMessage(f + ":2:17: outputs.file.maxMb: must be 1 or more (MB)");
        assertThatThrownBy(() -> ConfigLoader.load(write("rules:\n  defaults: maybe\n")))
                .hasMessage(f + ":2:13: rules.defaults: 'maybe' is not true or false");
    }

    @Test
    void valuesOfTheWrongKindSayWhatWasExpectedWithoutParserInternals() throws Exception {
        Path f = dir.resolve("eunomia.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(write("rules:\n  paths: {a: b}\n")))
                .hasMessage(f + ":2:10: rules.paths: expected a list, e.g. [a, b] (or a single value), not a mapping");
        assertThatThrownBy(() -> ConfigLoader.load(write("outputs:\n  stdout: json\n")))
                .hasMessage(f + ":2:11: outputs.stdout: expected a mapping of keys (key: value), not 'json'");
        assertThatThrownBy(() -> ConfigLoader.load(write("- a\n- b\n")))
                .hasMessage(f + ":1:1: the document: expected a mapping of keys (key: value), not a list");
        assertThatThrownBy(() -> ConfigLoader.load(write("rules: [a, b\n")))
                .hasMessage(f + ":2:1: not valid YAML: expected ',' or ']', but got <stream end> (while parsing a flow sequence)");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml")))
                .hasMessageContaining("missing.yaml: no such configuration file");
    }

    @Test
    void aSingleValueStandsForAListOfOne() throws Exception {
        EngineConfig c = ConfigLoader.load(write("""
                rules:
                  paths: /etc/eunomia/rules
                outputs:
                  alertmanager:
                    urls: http://127.0.0.1:9093
                """));
        assertThat(c.rules().paths()).containsExactly("/etc/eunomia/rules");
        assertThat(c.outputs().alertmanager().urls()).containsExactly("http://127.0.0.1:9093");
    }
}
