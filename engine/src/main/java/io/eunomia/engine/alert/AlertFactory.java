package io.eunomia.engine.alert;

import io.eunomia.event.Event;
import io.eunomia.rules.AlertSink;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.rule.RuleContext;

/**
 * The {@code alerts} global of a session: turns a rule firing into an {@link Alert} (priority,
 * rendered output, tags from the rule's metadata) and hands it on. Runs on the session's thread.
 * The firing Drools rule is resolved by the rule base ({@link RuleBase#firing}), which knows every
 * Drools rule a rule compiled to.
 */
public final class AlertFactory implements AlertSink {
    private final RuleBase base;
    private final Map<RuleInfo, OutputRenderer.Template> templates = new HashMap<>();
    private final Map<RuleInfo, AlertGroup> groups = new HashMap<>();
    private final Consumer<Alert> downstream;

    public AlertFactory(RuleBase base, OutputRenderer renderer, Consumer<Alert> downstream) {
        this.base = base;
        for (RuleInfo r : base.rules()) {
            OutputRenderer.Template t = renderer.parse(r.outputTemplate());
            templates.put(r, t);
            groups.put(r, AlertGroup.of(r, t));
        }
        this.downstream = downstream;
    }

    @Override
    public void raise(RuleContext context, Event... events) {
        Rule rule = context.getRule();
        if (events.length == 0) {
            throw new IllegalArgumentException("rule '" + rule.getName()
                    + "' raised an alert without an event: call alerts.raise(drools, $event)");
        }
        Event about = events[events.length - 1];
        RuleInfo r = base.firing(rule).orElseThrow(() -> new IllegalStateException("rule '" + rule.getName()
                + "' is marked @internal (it derives facts for other rules) but raised an alert: remove @internal or the alerts.raise call"));
        OutputRenderer.Template t = templates.get(r);
        downstream.accept(Alert.single(r.name(), r.priority(), t.render(about), r.tags(), about, r.source(),
                groups.get(r).values(about, t)));
    }
}
