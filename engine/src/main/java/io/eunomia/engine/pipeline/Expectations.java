package io.eunomia.engine.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.yaml.YamlException;
import io.eunomia.engine.yaml.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a replay must raise, from a small YAML file:
 * <pre>
 * alerts:                       # each entry matches alerts by rule (and optionally more)
 *   - rule: Read sensitive file
 *     count: 2                    # occurrences (aggregated repeats included); default: at least one
 *     container: web              # name, id or id prefix; "host" for host processes
 *     output_contains: /etc/shadow
 * allow_other: false            # default false: an alert that no entry matches is a failure
 * </pre>
 * or {@code none: true}: the events must raise no alert at all.
 */
public record Expectations(List<Entry> alerts, boolean none, boolean allowOther) {
    public record Entry(String rule, Long count, String container, String outputContains) {
        boolean matches(Alert a) {
            return a.rule().equals(rule)
                    && (container == null || a.container().matches(container))
                    && (outputContains == null || a.output().contains(outputContains));
        }

        String describe() {
            return "rule '" + rule + "'" + (container == null ? "" : " in container " + container)
                    + (outputContains == null ? "" : " with output containing '" + outputContains + "'");
        }
    }

    /** The outcome: differences, one line each ("- missing", "+ unexpected", "~ count"), empty if it matched. */
    public record Verdict(List<String> differences, List<String> matched) {
        public boolean passed() {
            return differences.isEmpty();
        }
    }

    private record Raw(List<RawEntry> alerts, Boolean none, @JsonProperty("allow_other") Boolean allowOther) {}

    private record RawEntry(String rule, Long count, String container,
                            @JsonProperty("output_contains") String outputContains) {}

    public Expectations {
        alerts = List.copyOf(alerts);
    }

    /** @throws IllegalArgumentException "file:line:col: what" when the file is not such an expectation */
    public static Expectations read(Path file) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Raw raw;
        try {
            raw = YamlReader.read(file, Files.readString(file), yaml, Raw.class).value();
        } catch (YamlException e) {
            throw new IllegalArgumentException(e.getMessage() + "; expected 'alerts:' (a list of {rule, count, "
                    + "container, output_contains}), 'none: true', and optionally 'allow_other: true'");
        }
        if (raw == null) {
            throw new IllegalArgumentException(file + ":1: empty expectation file; expected 'alerts:' or 'none: true'");
        }
        boolean none = Boolean.TRUE.equals(raw.none());
        List<RawEntry> entries = raw.alerts() == null ? List.of() : raw.alerts();
        if (none && !entries.isEmpty()) {
            throw new IllegalArgumentException(file + ": 'none: true' and 'alerts:' contradict each other");
        }
        if (!none && entries.isEmpty()) {
            throw new IllegalArgumentException(file + ": expected 'alerts:' with at least one entry, or 'none: true'");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            RawEntry r = entries.get(i);
            if (r == null || r.rule() == null || r.rule().isBlank()) {
                throw new IllegalArgumentException(file + ": alerts[" + i + "] needs a 'rule'");
            }
            if (r.count() != null && r.count() < 0) {
                throw new IllegalArgumentException(file + ": alerts[" + i + "].count must be >= 0");
            }
            out.add(new Entry(r.rule(), r.count(), r.container(), r.outputContains()));
        }
        return new Expectations(out, none, Boolean.TRUE.equals(raw.allowOther()));
    }

    /** Compares alerts with what was expected. */
    public Verdict check(List<Alert> actual) {
        List<String> diffs = new ArrayList<>();
        List<String> ok = new ArrayList<>();
        Set<Alert> covered = new HashSet<>();
        for (Entry e : alerts) {
            long n = 0;
            for (Alert a : actual) {
                if (e.matches(a)) {
                    n += a.count();
                    covered.add(a);
                }
            }
            if (e.count() == null ? n == 0 : n != e.count()) {
                diffs.add(n == 0 ? "- missing: " + e.describe() + (e.count() == null ? "" : " x" + e.count())
                        : String.format(Locale.ROOT, "~ count: %s: expected %d, got %d", e.describe(), e.count(), n));
            } else {
                ok.add("  ok: " + e.describe() + " x" + n);
            }
        }
        if (!allowOther) {
            for (Alert a : actual) {
                if (!covered.contains(a)) {
                    diffs.add("+ unexpected: rule '" + a.rule() + "' in container " + a.container().name()
                            + (a.count() > 1 ? " x" + a.count() : "") + ": " + a.output());
                }
            }
        }
        return new Verdict(diffs, ok);
    }
}
