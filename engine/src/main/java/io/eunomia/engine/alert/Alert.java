package io.eunomia.engine.alert;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.rules.Priority;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule fired. Either a single occurrence ({@code count == 1}, emitted at once) or the summary of
 * identical repeats within an aggregation window ({@code summary}: {@code count} more occurrences
 * between {@code firstNanos} and {@code lastNanos} after the one already emitted). Summing
 * {@code count} over alerts gives the number of times rules fired.
 *
 * @param rule       the rule's name
 * @param priority   its priority
 * @param output     the rendered output template
 * @param tags       the rule's tags
 * @param event      the event the alert is about (for a summary: the last repeat)
 * @param container  the event's container
 * @param epochNanos when the event happened (kernel time, epoch ns)
 * @param count      occurrences this alert stands for
 * @param summary    whether this reports repeats of an alert already emitted
 * @param firstNanos first occurrence covered (epoch ns)
 * @param lastNanos  last occurrence covered (epoch ns)
 * @param source     where the rule is defined
 * @param group      the values of the rule's grouping fields ({@link AlertGroup}), in order: with
 *                   the rule and the container they say which alerts are one behaviour
 */
public record Alert(String rule, Priority priority, String output, List<String> tags, Event event, ContainerInfo container,
                    long epochNanos, long count, boolean summary, long firstNanos, long lastNanos, String source,
                    Map<String, String> group) {
    public Alert {
        tags = List.copyOf(tags);
        group = Collections.unmodifiableMap(new LinkedHashMap<>(group));
        if (count < 1) {
            throw new IllegalArgumentException("an alert stands for at least one occurrence, got " + count);
        }
    }

    /** A single occurrence, grouped by its rule and container alone. */
    public static Alert single(String rule, Priority priority, String output, List<String> tags, Event event,
                               String source) {
        return single(rule, priority, output, tags, event, source, Map.of());
    }

    /** A single occurrence. */
    public static Alert single(String rule, Priority priority, String output, List<String> tags, Event event,
                               String source, Map<String, String> group) {
        return new Alert(rule, priority, output, tags, event, event.process().container(), event.epochNanos(), 1, false,
                event.epochNanos(), event.epochNanos(), source, group);
    }

    /** The summary of {@code repeats} occurrences of this alert's group since {@code first} (epoch ns). */
    public Alert summarize(long repeats, long first, Event last) {
        return new Alert(rule, priority, output, tags, last, container, last.epochNanos(), repeats, true, first,
                last.epochNanos(), source, group);
    }

    /** For a summary, how outputs word it: "4 more times in 2.0 s". */
    public String repeats() {
        return String.format(java.util.Locale.ROOT, "%d more times in %.1f s", count, spanSeconds());
    }

    /** Seconds between the first and last occurrence covered. */
    public double spanSeconds() {
        return (lastNanos - firstNanos) / 1e9;
    }
}
