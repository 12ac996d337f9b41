package io.eunomia.engine.alert;

import io.eunomia.event.Event;
import io.eunomia.rules.AlertSink;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.kie.api.runtime.rule.RuleContext;

/**
 * The {@code alerts} global of a session: turns a rule firing into an {@link Alert} (priority,
 * rendered output, tags from the rule's metadata) and hands it on. Runs on the session's thread.
 */
public final class AlertFactory implements AlertSink {
    private record Compiled(RuleInfo info, OutputRenderer.Template template) {}

    private final Map<String, Compiled> rules = new HashMap<>();
    private final Consumer<Alert> downstream;

    public AlertFactory(RuleBase base, OutputRenderer renderer, Consumer<Alert> downstream) {
        for (RuleInfo r : base.rules()) {
            rules.put(r.name(), new Compiled(r, renderer.parse(r.outputTemplate())));
        }
        this.downstream = downstream;
    }

    @Override
    public void raise(RuleContext rule, Event... events) {
        if (events.length == 0) {
            throw new IllegalArgumentException("rule '" + rule.getRule().getName()
                    + "' raised an alert without an event: call alerts.raise(drools, $event)");
        }
        Event about = events[events.length - 1];
        Compiled c = rules.get(rule.getRule().getName());
        if (c == null) {
            throw new IllegalStateException("rule '" + rule.getRule().getName() + "' is not in the rule base");
        }
        RuleInfo r = c.info();
        downstream.accept(Alert.single(r.name(), r.priority(), c.template().render(about), r.tags(), about, r.source()));
    }
}
