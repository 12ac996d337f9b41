package io.eunomia.engine.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eunomia.engine.alertmanager.AlertmanagerUrl;
import io.eunomia.engine.internal.IoProblem;
import io.eunomia.engine.output.AlertFormat;
import io.eunomia.engine.yaml.YamlException;
import io.eunomia.engine.yaml.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads and checks {@link EngineConfig}: unknown keys, values of the wrong kind and bad values are
 * errors at file:line:column, checked with the same rules as the command-line options.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            // paths: /etc/eunomia/rules is as natural as paths: [/etc/eunomia/rules]
            .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true)
            // keep: 2.5 must not quietly become 2
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);

    private ConfigLoader() {}

    public static EngineConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such configuration file (policies/eunomia.yaml is an example)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the configuration file: " + IoProblem.describe(e));
        }
        try {
            YamlReader.Document<EngineConfig> doc = YamlReader.read(file, text, YAML, EngineConfig.class);
            EngineConfig config = doc.value() == null ? EngineConfig.EMPTY : doc.value();
            validate(doc, config);
            return config;
        } catch (YamlException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static void validate(YamlReader.Document<EngineConfig> at, EngineConfig c) throws YamlException {
        var out = c.outputs();
        if (out != null && out.stdout() != null && out.stdout().format() != null) {
            check(at, "outputs.stdout.format", () -> AlertFormat.parse(out.stdout().format()));
        }
        if (out != null && out.file() != null) {
            if (out.file().path() != null && out.file().path().isBlank()) {
                throw at.problem("outputs.file.path", "an empty path; give the file alerts are written to");
            }
            if (out.file().format() != null) {
                check(at, "outputs.file.format", () -> AlertFormat.parse(out.file().format()));
            }
            if (out.file().maxAgeHours() != null && !(out.file().maxAgeHours() >= 0 && out.file().maxAgeHours() < 1e6)) {
                throw at.problem("outputs.file.maxAgeHours", "must be 0 (not by age) or more (hours)");
            }
            if (out.file().maxMb() != null && out.file().maxMb() < 1) {
                throw at.problem("outputs.file.maxMb", "must be 1 or more (MB)");
            }
            if (out.file().keep() != null && out.file().keep() < 0) {
                throw at.problem("outputs.file.keep", "must be 0 or more (rotated files kept)");
            }
        }
        if (out != null && out.alertmanager() != null) {
            List<String> urls = out.alertmanager().urls() == null ? List.of() : out.alertmanager().urls();
            for (int i = 0; i < urls.size(); i++) {
                String u = urls.get(i);
                check(at, "outputs.alertmanager.urls." + i, () -> AlertmanagerUrl.parse(u == null ? "" : u));
            }
            if (out.alertmanager().expirySeconds() != null && out.alertmanager().expirySeconds() < 1) {
                throw at.problem("outputs.alertmanager.expirySeconds", "must be 1 or more (seconds)");
            }
        }
        if (c.metrics() != null && c.metrics().address() != null) {
            check(at, "metrics.address", () -> ListenAddress.parse(c.metrics().address()));
        }
        if (c.aggregateSeconds() != null && !(c.aggregateSeconds() >= 0 && c.aggregateSeconds() < 1e9)) {
            throw at.problem("aggregateSeconds", "must be 0 (off) or more (seconds)");
        }
        if (c.ringMiB() != null) {
            check(at, "ringMiB", () -> RingSize.mib(c.ringMiB()));
        }
        if (c.rules() != null && c.rules().paths() != null) {
            for (int i = 0; i < c.rules().paths().size(); i++) {
                String p = c.rules().paths().get(i);
                if (p == null || p.isBlank()) {
                    throw at.problem("rules.paths." + i, "an empty path; give a rule file or directory");
                }
            }
        }
        if (c.rules() != null && c.rules().cache() != null && c.rules().cache().isBlank()) {
            throw at.problem("rules.cache", "an empty path; give a directory, or off");
        }
    }

    private static void check(YamlReader.Document<EngineConfig> at, String dottedPath, Runnable parse) throws YamlException {
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            throw at.problem(dottedPath, e.getMessage());
        }
    }
}
