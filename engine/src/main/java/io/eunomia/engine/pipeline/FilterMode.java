package io.eunomia.engine.pipeline;

import java.util.Arrays;
import java.util.Locale;

/**
 * How events are filtered before they enter the rule session ({@link SessionFilter}): the product
 * runs {@link #DIRECT}; the others exist for paired benchmarks and a suspected filter bug.
 */
public enum FilterMode {
    /** Constraints on the event alone called as the executable model's own predicates. */
    DIRECT,
    /** Every constraint through Drools' own evaluation (fact handle, declaration, evaluator). */
    DROOLS,
    /** No filter: every event of a type some rule reads is inserted. */
    OFF;

    /** The mode named value (any case); source names where it was given, for the error. */
    public static FilterMode parse(String value, String source) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": '" + value + "' is no session filter mode (one of "
                    + String.join(", ", Arrays.stream(values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList()) + ")");
        }
    }
}
