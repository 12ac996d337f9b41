package io.eunomia.testkit;

/** Rule texts that tests of more than one module compile: one copy of each. */
public final class RuleTexts {
    private RuleTexts() {}

    /**
     * "Anything by nc": a DRL rule on the abstract {@code Event} (any event of a process named nc),
     * so it reads every event type and is warned about at its header, line 4 column 6.
     */
    public static final String ANYTHING_BY_NC = """
            package t;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;
            rule "Anything by nc"
              @fileReads("none") @missingReads("none")
            when
              $e : Event( process.comm == "nc" )
            then alerts.raise(drools, $e); end
            """;
}
