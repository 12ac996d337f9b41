package io.eunomia.profiler;

import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The values one argument of one syscall took (masked by {@link ArgumentSpec#mask()}).
 *
 * @param spec      which argument
 * @param values    the distinct masked values seen, unsigned order not implied (plain long order)
 * @param overflow  more distinct values were seen than the learner keeps ({@link ArgumentSpec#MAX_VALUES}):
 *                  the set is incomplete, so a generator must not restrict this argument
 * @param firstSeen when the first value was seen
 */
public record ArgumentValues(ArgumentSpec spec, SortedSet<Long> values, boolean overflow, Instant firstSeen) {
    public ArgumentValues {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(firstSeen, "firstSeen");
        TreeSet<Long> copy = new TreeSet<>();
        for (Long v : values) {
            copy.add(spec.apply(v));
        }
        values = Collections.unmodifiableSortedSet(copy);
    }

    /** Union of two observations; past {@link ArgumentSpec#MAX_VALUES} values the set is marked overflowed. */
    public ArgumentValues union(ArgumentValues other) {
        if (!spec.equals(other.spec)) {
            throw new IllegalArgumentException("different arguments: " + spec + " and " + other.spec);
        }
        TreeSet<Long> all = new TreeSet<>(values);
        all.addAll(other.values);
        return new ArgumentValues(spec, all, overflow || other.overflow || all.size() > ArgumentSpec.MAX_VALUES,
                Merging.earlier(firstSeen, other.firstSeen));
    }

    /** Whether a generator may restrict the argument to {@link #values()}. */
    public boolean complete() {
        return !overflow;
    }
}
