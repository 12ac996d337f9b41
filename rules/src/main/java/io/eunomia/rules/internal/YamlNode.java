package io.eunomia.rules.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML value with where it was written. Jackson's tree model drops locations, and every rule
 * error must point at its line, so rule files are read into this small tree instead.
 */
public sealed interface YamlNode {
    Loc loc();

    /** What a user would call this kind of value, for "found X, expected Y" messages. */
    String kind();

    /**
     * A scalar. {@code positions} maps an offset in {@code text} back to the file (multi-line and
     * block scalars included).
     */
    record Scalar(String text, Loc loc, ScalarPositions positions, boolean isNull) implements YamlNode {
        public Loc at(int offset) {
            return positions.locate(offset);
        }

        @Override
        public String kind() {
            return isNull ? "nothing" : "'" + text + "'";
        }
    }

    record Seq(List<YamlNode> items, Loc loc) implements YamlNode {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A mapping; keys in file order, each with the location of the key itself. */
    record Mapping(Map<String, YamlNode> entries, Map<String, Loc> keyLocs, Loc loc) implements YamlNode {
        public Optional<YamlNode> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }
}
