package io.eunomia.rules;

import io.eunomia.event.Event;
import org.kie.api.runtime.rule.RuleContext;

/**
 * Where rule consequences send alerts. Every rule base has it as the DRL global {@code alerts};
 * a consequence calls {@code alerts.raise(drools, $e)} (or with several events, the one the alert
 * is about last). The engine looks the rule up by name for its priority, output and tags.
 */
public interface AlertSink {
    String GLOBAL = "alerts";

    void raise(RuleContext rule, Event... events);

    /** The same from a rule of the executable model, where {@code drools} is the model's handle. */
    default void raise(org.drools.model.Drools drools, Event... events) {
        raise(((org.drools.modelcompiler.consequence.DroolsImpl) drools).asKnowledgeHelper(), events);
    }
}
