package io.eunomia.rules.internal;

import java.util.List;

/** The YAML rule language's items, after loading and overrides. */
public final class RuleModel {
    private RuleModel() {}

    /** {@code - list:} — items may name other lists. */
    public record ListDef(String name, List<YamlNode.Scalar> items, Loc loc) {}

    /** {@code - macro:}. */
    public record MacroDef(String name, CondText condition, Loc loc) {}

    /**
     * One exception of a rule: field tuples that, when all compare equal (or by comps), suppress it.
     *
     * @param fields the fields; one scalar field means values are single values (Falco's short form)
     * @param tuple  whether fields was written as a list
     * @param comps  one comparison per field ("=" by default; "in" for the short form)
     * @param values each a tuple of values (for the short form, one value each)
     */
    public record ExceptionDef(String name, List<YamlNode.Scalar> fields, boolean tuple, List<String> comps,
                               List<YamlNode> values, Loc loc) {}

    /**
     * {@code - rule:}.
     *
     * @param groupBy the fields that tell one behaviour of the rule from another when alerts are
     *                grouped ({@code group_by:}); null when the rule does not say (the default applies)
     */
    public record RuleDef(String name, String desc, CondText condition, YamlNode.Scalar output, io.eunomia.rules.Priority priority,
                          List<String> tags, boolean enabled, List<ExceptionDef> exceptions, List<YamlNode.Scalar> groupBy, Loc loc) {
        RuleDef withCondition(CondText c) {
            return new RuleDef(name, desc, c, output, priority, tags, enabled, exceptions, groupBy, loc);
        }

        RuleDef withGroupBy(List<YamlNode.Scalar> g) {
            return new RuleDef(name, desc, condition, output, priority, tags, enabled, exceptions, g, loc);
        }
    }
}
