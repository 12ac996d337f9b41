package io.eunomia.rules;

import io.eunomia.event.EventType;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.kie.api.KieBase;

/**
 * Compiled rules, ready for a STREAM-mode session: the KieBase, what each rule is, and which
 * event types any rule reads (only those need sensors and enter the session).
 *
 * @param rules      one entry per rule as its author named it (a YAML rule is one entry even when
 *                   it compiled to several DRL rules)
 * @param drl        the DRL the base was built from, per source (YAML files show their compiled form)
 * @param drlNames   Drools rule name → rule name, where they differ (a YAML rule "X" that matches
 *                   several event types compiles to DRL rules "X [file]", "X [net]", ...)
 * @param fileReads  which successful read-only opens any rule can match (the file sensor's read
 *                   filter reports only those)
 */
public record RuleBase(KieBase kieBase, List<RuleInfo> rules, Set<EventType> eventTypes, Map<String, String> drl,
                       Map<String, String> drlNames, FileReadNeeds fileReads) {
    public RuleBase {
        rules = List.copyOf(rules);
        eventTypes = Set.copyOf(eventTypes);
        drl = Map.copyOf(drl);
        drlNames = Map.copyOf(drlNames);
        Objects.requireNonNull(fileReads);
    }

    /** A base whose reads are not known: every read is needed. */
    public RuleBase(KieBase kieBase, List<RuleInfo> rules, Set<EventType> eventTypes, Map<String, String> drl,
                    Map<String, String> drlNames) {
        this(kieBase, rules, eventTypes, drl, drlNames, FileReadNeeds.ALL);
    }

    public RuleBase(KieBase kieBase, List<RuleInfo> rules, Set<EventType> eventTypes, Map<String, String> drl) {
        this(kieBase, rules, eventTypes, drl, Map.of());
    }

    /**
     * The rule of a name: a rule's own name, or the name Drools gives a firing rule
     * ({@code drools.getRule().getName()}), which for YAML rules may carry a " [type]" suffix.
     */
    public Optional<RuleInfo> rule(String name) {
        String own = drlNames.getOrDefault(name, name);
        return rules.stream().filter(r -> r.name().equals(own)).findFirst();
    }
}
