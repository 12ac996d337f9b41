package io.eunomia.profiler.internal;

import java.util.List;
import java.util.Map;

/** A YAML/JSON value with the position it was written at: profile errors name their line and column. */
sealed interface Node {
    int line();

    int column();

    /** For "found X" in messages. */
    String kind();

    /** A scalar; {@code isNull} for {@code ~}, {@code null} or an empty value. */
    record Scalar(String text, boolean isNull, int line, int column) implements Node {
        @Override
        public String kind() {
            return isNull ? "nothing" : "'" + text + "'";
        }
    }

    record Seq(List<Node> items, int line, int column) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** Keys in file order; {@code keys} holds where each key was written. */
    record Mapping(Map<String, Node> entries, Map<String, Node.Scalar> keys, int line, int column) implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }
}
