package io.eunomia.engine.output;

import io.eunomia.engine.alert.Alert;
import io.eunomia.testkit.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A test double: keeps the alerts it is given. Waits look only at alerts that arrived after a
 * {@link Recorder.Mark} taken before the act under test, so an alert already stored cannot answer
 * for the act.
 */
public final class InMemoryOutput implements AlertOutput {
    private final Recorder<Alert> alerts = new Recorder<>(a -> a.rule() + ": " + a.output()
            + (a.summary() ? " (" + a.repeats() + ")" : "") + " [" + a.container().id() + "]");

    @Override
    public void emit(Alert alert) {
        alerts.accept(alert);
    }

    /** Now: take it before the act under test. */
    public Recorder.Mark mark() {
        return alerts.mark();
    }

    /** The first alert after the mark that matches; fails, listing the alerts after the mark, if none comes in time. */
    public Alert awaitAfter(Recorder.Mark mark, Predicate<? super Alert> match, Duration timeout) throws InterruptedException {
        return alerts.expectAfter(mark, match, timeout, "matching alert");
    }

    /** The first alert of the rule after the mark that matches. */
    public Alert awaitAfter(Recorder.Mark mark, String rule, Predicate<? super Alert> match, Duration timeout)
            throws InterruptedException {
        return alerts.expectAfter(mark, a -> a.rule().equals(rule) && match.test(a), timeout, "'" + rule + "' alert");
    }

    /** Alerts after the mark, in order. */
    public List<Alert> since(Recorder.Mark mark) {
        return alerts.since(mark);
    }

    /** Every alert so far (a replay's result). */
    public List<Alert> alerts() {
        return alerts.all();
    }

    /** Alerts after the mark, one per line, for failure messages. */
    public String describe(Recorder.Mark mark) {
        return alerts.describe(since(mark));
    }
}
