package io.eunomia.rules;

import io.eunomia.event.EventType;
import io.eunomia.event.NetInterest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.kie.api.KieBase;
import org.kie.api.definition.rule.Rule;

/**
 * Compiled rules, ready for a STREAM-mode session: the KieBase, what each rule is, and which
 * event types any rule reads (only those need sensors and enter the session).
 *
 * @param rules      one entry per rule as its author named it (a YAML rule is one entry even when
 *                   it compiled to several Drools rules)
 * @param eventTypes the event types some rule reads
 * @param drl        the DRL the base was built from, per source (YAML files show their compiled form)
 * @param firing     each Drools rule that raises alerts → the rule it belongs to (a YAML rule "X"
 *                   that matches several event types compiles to Drools rules "X [file]",
 *                   "X [net]", ..., all of them "X" here); see {@link #firing(Rule)}
 * @param fileReads  which successful read-only opens any rule can match (the file sensor's read
 *                   filter reports only those)
 * @param missingReads which read-only opens of a missing file (ENOENT) any rule can match (the file
 *                   sensor's miss filter reports only those)
 * @param timesSet   which calls setting explicit times on a file (evt.type utimes) any rule can match
 *                   (the file sensor's times filter reports only those)
 * @param netEvents  which socket events any rule can match (the network sensor keeps the others)
 * @param warnings   what compiles but deserves a look (a rule that needs every file read, a
 *                   rule redefined without override, ...), each with file:line
 */
public record RuleBase(KieBase kieBase, List<RuleInfo> rules, Set<EventType> eventTypes, Map<String, String> drl,
                       Map<DroolsRule, RuleInfo> firing, FileReadNeeds fileReads, FileReadNeeds missingReads, FileReadNeeds timesSet,
                       NetInterest netEvents,
                       List<RuleError> warnings) {
    /** A Drools rule's identity: names are unique within a package only. */
    public record DroolsRule(String packageName, String name) {
        public static DroolsRule of(Rule r) {
            return new DroolsRule(r.getPackageName(), r.getName());
        }
    }

    public RuleBase {
        rules = List.copyOf(rules);
        eventTypes = Set.copyOf(eventTypes);
        drl = Map.copyOf(drl);
        firing = Map.copyOf(firing);
        Objects.requireNonNull(fileReads);
        Objects.requireNonNull(missingReads);
        Objects.requireNonNull(timesSet);
        Objects.requireNonNull(netEvents);
        warnings = List.copyOf(warnings);
    }

    /**
     * The event types each rule reads, by the author's rule name (helper rules marked
     * {@code @internal} left out): which rules a sensor feeds.
     */
    public Map<String, Set<EventType>> eventTypesByRule() {
        Map<String, Set<EventType>> out = new java.util.LinkedHashMap<>();
        for (org.kie.api.definition.KiePackage p : kieBase.getKiePackages()) {
            for (Rule r : p.getRules()) {
                Optional<RuleInfo> info = firing(r);
                if (info.isPresent() && r instanceof org.drools.base.definitions.rule.impl.RuleImpl impl) {
                    Set<EventType> types = out.computeIfAbsent(info.get().name(), k -> java.util.EnumSet.noneOf(EventType.class));
                    DrlCompiler.collectTypes(impl.getLhs(), types);
                }
            }
        }
        return out;
    }

    /**
     * What lets events into the session, by the author's rule name (helper rules under their own
     * name, "(internal)" added): each pattern on events with the constraints an event must pass on
     * its own; an event that passes none of any rule stays out (the engine's session filter).
     */
    public Map<String, List<String>> admissions() {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (org.kie.api.definition.KiePackage p : kieBase.getKiePackages()) {
            for (Rule r : p.getRules()) {
                if (r instanceof org.drools.base.definitions.rule.impl.RuleImpl impl) {
                    String name = firing(r).map(RuleInfo::name).orElse(r.getName() + " (internal)");
                    List<String> patterns = out.computeIfAbsent(name, k -> new java.util.ArrayList<>());
                    DrlCompiler.collectAdmissions(impl.getLhs(), patterns);
                }
            }
        }
        out.values().removeIf(List::isEmpty);
        return out;
    }

    /** The rule of an author's name. */
    public Optional<RuleInfo> rule(String name) {
        return rules.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /**
     * The rule a firing Drools rule ({@code drools.getRule()}) belongs to; empty for a rule marked
     * {@code @internal}, which derives facts and raises no alerts. The instances are those of {@link #rules}.
     */
    public Optional<RuleInfo> firing(Rule r) {
        return Optional.ofNullable(firing.get(DroolsRule.of(r)));
    }
}
