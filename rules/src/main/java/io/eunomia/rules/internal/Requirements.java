package io.eunomia.rules.internal;

import io.eunomia.rules.RuleError;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Falco's {@code - required_engine_version:} and {@code - required_plugin_versions:} items: a file
 * that needs a newer rule language, or a plugin, than this engine offers is refused with the
 * reason, as Falco refuses it, instead of failing later on a field.
 */
final class Requirements {
    /**
     * The Falco engine version whose rule language this compiler follows (the falcosecurity/rules
     * files tested in RulesFalcoFilesTest ask for it). Falco's old integer versions map to 0.N.0.
     */
    static final int[] ENGINE = {0, 57, 0};

    /**
     * Plugins whose fields are built in here: the container plugin's container.* fields come from
     * the container identity stage. Version: the highest the falcosecurity/rules files ask for.
     */
    static final Map<String, int[]> PLUGINS = Map.of("container", new int[] {0, 4, 0});

    private final List<RuleError> errors;

    Requirements(List<RuleError> errors) {
        this.errors = errors;
    }

    void engine(YamlNode node) {
        if (!(node instanceof YamlNode.Scalar s)) {
            error(node.loc(), "found " + node.kind() + " for required_engine_version, expected a version such as 0.57.0");
            return;
        }
        Optional<int[]> v = version(s.text().contains(".") ? s.text() : "0." + s.text() + ".0");
        if (v.isEmpty()) {
            error(s.loc(), "found '" + s.text() + "' for required_engine_version, expected a version such as 0.57.0");
        } else if (compare(v.get(), ENGINE) > 0) {
            error(s.loc(), "the file requires Falco engine version " + s.text() + "; this compiler follows the rule language of "
                    + text(ENGINE) + ": use rules written for that version or older");
        }
    }

    void plugins(YamlNode node) {
        if (!(node instanceof YamlNode.Seq seq)) {
            error(node.loc(), "found " + node.kind() + " for required_plugin_versions, expected a list of {name, version}");
            return;
        }
        for (YamlNode item : seq.items()) {
            if (!(item instanceof YamlNode.Mapping m) || !(m.get("name").orElse(null) instanceof YamlNode.Scalar name)
                    || !(m.get("version").orElse(null) instanceof YamlNode.Scalar version)) {
                error(item.loc(), "found " + item.kind() + " in required_plugin_versions, expected {name: ..., version: ...}");
                continue;
            }
            if (!satisfied(name.text(), version.text()) && !alternative(m)) {
                int[] have = PLUGINS.get(name.text());
                error(name.loc(), have == null
                        ? "the file requires plugin '" + name.text() + "', which this engine does not have (only the fields of "
                                + String.join(", ", PLUGINS.keySet()) + " are built in): leave out the rules of that plugin's source"
                        : "the file requires plugin '" + name.text() + "' " + version.text() + "; its fields here match "
                                + text(have) + ": use rules written for that version");
            }
        }
    }

    private static boolean satisfied(String name, String version) {
        int[] have = PLUGINS.get(name);
        Optional<int[]> want = version(version);
        return have != null && want.isPresent() && want.get()[0] == have[0] && compare(want.get(), have) <= 0;
    }

    private static boolean alternative(YamlNode.Mapping m) {
        if (!(m.get("alternatives").orElse(null) instanceof YamlNode.Seq alts)) {
            return false;
        }
        return alts.items().stream().anyMatch(a -> a instanceof YamlNode.Mapping am
                && am.get("name").orElse(null) instanceof YamlNode.Scalar n
                && am.get("version").orElse(null) instanceof YamlNode.Scalar v && satisfied(n.text(), v.text()));
    }

    static Optional<int[]> version(String text) {
        String[] p = text.strip().split("\\.");
        if (p.length != 3) {
            return Optional.empty();
        }
        int[] v = new int[3];
        try {
            for (int i = 0; i < 3; i++) {
                v[i] = Integer.parseInt(p[i]);
                if (v[i] < 0) {
                    return Optional.empty();
                }
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(v);
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    private static String text(int[] v) {
        return v[0] + "." + v[1] + "." + v[2];
    }

    private void error(Loc loc, String message) {
        errors.add(new RuleError(loc.file(), loc.line(), loc.column(), message));
    }
}
