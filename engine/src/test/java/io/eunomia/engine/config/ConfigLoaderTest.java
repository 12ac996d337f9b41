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
    void badValuesAreErrors() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("aggregateSeconds: soon\n")))
                .hasMessageContaining(":1:").hasMessageContaining("'soon' is not a valid double");
        assertThatThrownBy(() -> ConfigLoader.load(write("outputs: {stdout: {format: xml}}\n")))
                .hasMessageContaining("must be text or json");
        assertThatThrownBy(() -> ConfigLoader.load(write("outputs: {alertmanager: {urls: [localhost:9093]}}\n")))
                .hasMessageContaining("must be an http(s) URL");
        assertThatThrownBy(() -> ConfigLoader.load(write("metrics: {address: 9464}\n")))
                .hasMessageContaining("HOST:PORT");
    }
}
