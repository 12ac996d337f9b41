package io.eunomia.engine.pipeline;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.alert.AlertAggregator;
import io.eunomia.engine.alert.AlertFactory;
import io.eunomia.engine.alert.OutputRenderer;
import io.eunomia.event.format.EventJson;
import io.eunomia.event.Event;
import io.eunomia.rules.RuleBase;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Recorded events through rules, on the calling thread, in event time: the session's pseudo clock
 * follows the events' own timestamps, so windows, sequences and expiry behave as they did live.
 * Batches and alert aggregation work as in the live pipeline.
 */
public final class Replay {
    /** The events of a JSON-lines file, and each line that is not one ("file:line: what"). */
    public record EventsFile(List<Event> events, List<String> errors) {}

    /** A rule threw while the events were replayed (its consequence, or a constraint's code). */
    public static final class RuleFailedException extends RuntimeException {
        RuleFailedException(RuntimeException cause) {
            super(describe(cause), cause);
        }

        private static String describe(Throwable e) {
            StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                if (c.getMessage() != null && !b.toString().contains(c.getMessage())) {
                    b.append(": ").append(c.getMessage().lines().findFirst().orElse(""));
                }
            }
            return b.toString();
        }
    }

    private Replay() {}

    /** Reads events as {@code eunomia trace --format json} writes them; blank and '#' lines are skipped. */
    public static EventsFile read(Path file) throws IOException {
        EventJson codec = new EventJson();
        List<Event> events = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank() || line.stripLeading().startsWith("#")) {
                    continue;
                }
                try {
                    events.add(codec.read(line));
                } catch (IllegalArgumentException e) {
                    errors.add(file + ":" + n + ": " + e.getMessage());
                }
            }
        }
        return new EventsFile(events, errors);
    }

    /**
     * Runs the events through the rules and returns the alerts, aggregated as live.
     *
     * @throws RuleFailedException when a rule throws
     */
    public static List<Alert> run(RuleBase rules, List<Event> events, Duration aggregation, int batchSize) {
        List<Alert> alerts = new ArrayList<>();
        AlertAggregator aggregator = new AlertAggregator(aggregation, alerts::add);
        try (RuleSession session = new RuleSession(rules, ClockMode.EVENT_TIME,
                new AlertFactory(rules, new OutputRenderer(), aggregator))) {
            for (int i = 0; i < events.size(); i += batchSize) {
                session.process(events.subList(i, Math.min(events.size(), i + batchSize)));
                aggregator.tick(session.nowNanos());
            }
            session.fire();
            aggregator.flush();
        } catch (RuntimeException e) {
            throw new RuleFailedException(e);
        }
        return alerts;
    }
}
