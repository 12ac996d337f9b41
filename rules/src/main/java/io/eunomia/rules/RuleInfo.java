package io.eunomia.rules;

import java.util.List;

/**
 * What a compiled rule is, for alerts and listings.
 *
 * @param name           the rule's name (unique in a rule base)
 * @param priority       its priority
 * @param description    what it detects
 * @param outputTemplate the alert text, with %field references (Falco style) rendered per alert
 * @param tags           tags, MITRE ATT&CK ids among them (e.g. "mitre_execution", "T1059")
 * @param source         where it was defined, "file:line"
 */
public record RuleInfo(String name, Priority priority, String description, String outputTemplate, List<String> tags,
                       String source) {
    public RuleInfo {
        tags = List.copyOf(tags);
    }
}
