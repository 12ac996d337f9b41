package io.eunomia.rules;

import java.util.List;
import java.util.Optional;

/**
 * What a compiled rule is, for alerts and listings.
 *
 * @param name           the rule's name (unique in a rule base)
 * @param priority       its priority
 * @param description    what it detects
 * @param outputTemplate the alert text, with %field references (Falco style) rendered per alert
 * @param tags           tags, MITRE ATT&CK ids among them (e.g. "mitre_execution", "T1059")
 * @param source         where it was defined, "file:line"
 * @param groupBy        the fields that tell one behaviour of the rule from another when its alerts
 *                       are grouped ({@code group_by:} in YAML, {@code @groupBy("a,b")} in DRL); empty
 *                       when the rule does not say, so the default grouping applies
 */
public record RuleInfo(String name, Priority priority, String description, String outputTemplate, List<String> tags,
                       String source, Optional<List<String>> groupBy) {
    /** The DRL annotation that carries {@link #groupBy}: fields separated by commas. */
    public static final String GROUP_BY = "groupBy";

    public RuleInfo {
        tags = List.copyOf(tags);
        groupBy = groupBy.map(List::copyOf);
    }

    public RuleInfo(String name, Priority priority, String description, String outputTemplate, List<String> tags, String source) {
        this(name, priority, description, outputTemplate, tags, source, Optional.empty());
    }
}
