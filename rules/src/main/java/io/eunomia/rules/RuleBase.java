package io.eunomia.rules;

import io.eunomia.event.EventType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kie.api.KieBase;

/**
 * Compiled rules, ready for a STREAM-mode session: the KieBase, what each rule is, and which
 * event types any rule reads (only those need sensors and enter the session).
 *
 * @param drl the DRL the base was built from, per source (YAML files show their compiled form)
 */
public record RuleBase(KieBase kieBase, List<RuleInfo> rules, Set<EventType> eventTypes, Map<String, String> drl) {
    public RuleBase {
        rules = List.copyOf(rules);
        eventTypes = Set.copyOf(eventTypes);
        drl = Map.copyOf(drl);
    }

    public Optional<RuleInfo> rule(String name) {
        return rules.stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
