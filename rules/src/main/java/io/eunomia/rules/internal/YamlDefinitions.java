package io.eunomia.rules.internal;

import io.eunomia.rules.Priority;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import io.eunomia.rules.internal.RuleModel.ExceptionDef;
import io.eunomia.rules.internal.RuleModel.ListDef;
import io.eunomia.rules.internal.RuleModel.MacroDef;
import io.eunomia.rules.internal.RuleModel.RuleDef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The lists, macros and rules of YAML rule files read in load order, with Falco's override
 * semantics: {@code override:} appends to or replaces single keys (lists: items; macros:
 * condition; rules: append condition, output, desc, tags, exceptions — replace those and
 * priority, enabled); the older {@code append: true} appends condition/exceptions/items; a rule
 * item with only {@code enabled} toggles the rule. A later item of the same name without either
 * replaces the earlier one, as in Falco, with a warning that names both places (it may be a
 * name clash with the default pack rather than a choice).
 */
public final class YamlDefinitions {
    private static final Set<String> RULE_KEYS = Set.of("rule", "desc", "condition", "output", "priority", "tags",
            "enabled", "exceptions", "source", "override", "append", "warn_evttypes", "skip-if-unknown-filter");
    private static final Set<String> RULE_APPEND = Set.of("condition", "output", "desc", "tags", "exceptions");
    private static final Set<String> RULE_REPLACE = Set.of("condition", "output", "desc", "priority", "tags", "exceptions",
            "enabled", "warn_evttypes", "skip-if-unknown-filter");
    private static final String PRIORITIES = Arrays.stream(Priority.values()).map(Enum::name).collect(Collectors.joining(", "));

    private final Map<String, ListDef> lists = new LinkedHashMap<>();
    private final Map<String, MacroDef> macros = new LinkedHashMap<>();
    private final Map<String, RuleDef> rules = new LinkedHashMap<>();
    /** The file that last defined or changed each rule: its DRL goes there. */
    private final Map<String, String> ruleFile = new LinkedHashMap<>();
    private final List<RuleError> errors;
    private final List<RuleError> warnings;
    private final Requirements requirements;
    /** Rules marked skip-if-unknown-filter: true (Falco: skipped, not an error, when a field is unknown). */
    private final Set<String> skipIfUnknown = new java.util.HashSet<>();

    public YamlDefinitions(List<RuleError> errors, List<RuleError> warnings) {
        this.errors = errors;
        this.warnings = warnings;
        this.requirements = new Requirements(errors);
    }

    /** Whether the rule says skip-if-unknown-filter: true (after overrides). */
    public boolean skipIfUnknown(String rule) {
        return skipIfUnknown.contains(rule);
    }

    private void skipFlag(String name, YamlNode.Mapping m) {
        bool(m, "skip-if-unknown-filter").ifPresent(b -> {
            if (b) {
                skipIfUnknown.add(name);
            } else {
                skipIfUnknown.remove(name);
            }
        });
    }

    public Map<String, ListDef> lists() {
        return lists;
    }

    public Map<String, MacroDef> macros() {
        return macros;
    }

    public Map<String, RuleDef> rules() {
        return rules;
    }

    public String fileOf(String rule) {
        return ruleFile.get(rule);
    }

    public void load(RuleSource source) {
        YamlNode root;
        try {
            root = YamlReader.read(source.name(), source.text());
        } catch (YamlReader.YamlSyntaxException e) {
            error(e.loc(), e.getMessage());
            return;
        }
        if (root == null) {
            return;
        }
        if (!(root instanceof YamlNode.Seq seq)) {
            error(root.loc(), "found " + root.kind() + " at the top of the file, expected a list of items (- rule: ..., - macro: ..., - list: ...)");
            return;
        }
        for (YamlNode item : seq.items()) {
            if (!(item instanceof YamlNode.Mapping m)) {
                error(item.loc(), "found " + item.kind() + ", expected an item: - rule:, - macro:, - list: or - required_engine_version:");
                continue;
            }
            if (m.entries().containsKey("rule")) {
                rule(m, source.name());
            } else if (m.entries().containsKey("macro")) {
                macro(m);
            } else if (m.entries().containsKey("list")) {
                list(m);
            } else if (m.entries().containsKey("required_engine_version")) {
                requirements.engine(m.get("required_engine_version").orElseThrow());
            } else if (m.entries().containsKey("required_plugin_versions")) {
                requirements.plugins(m.get("required_plugin_versions").orElseThrow());
            } else {
                String first = m.entries().keySet().stream().findFirst().orElse("");
                error(m.keyLocs().getOrDefault(first, m.loc()), "found item '" + first
                        + "', expected rule, macro, list or required_engine_version");
            }
        }
    }

    // ---- lists ----------------------------------------------------------------------------

    private void list(YamlNode.Mapping m) {
        Optional<String> name = name(m, "list");
        if (name.isEmpty()) {
            return;
        }
        checkKeys(m, Set.of("list", "items", "override", "append"), "list");
        List<YamlNode.Scalar> items = m.get("items").map(n -> scalars(n, "items")).orElse(null);
        ListDef old = lists.get(name.get());
        String mode = mode(m, "items", Set.of("items"), Set.of("items"), "list", old != null);
        if (items == null) {
            error(m.loc(), "list '" + name.get() + "' has no items: expected items: [a, b]");
            return;
        }
        if (mode.equals("append") && old != null) {
            List<YamlNode.Scalar> all = new ArrayList<>(old.items());
            all.addAll(items);
            lists.put(name.get(), new ListDef(name.get(), List.copyOf(all), old.loc()));
        } else if (!mode.equals("error")) {
            if (mode.equals("define") && old != null) {
                redefined("list", name.get(), m.loc(), old.loc(), "override: {items: replace}");
            }
            lists.put(name.get(), new ListDef(name.get(), items, m.loc()));
        }
    }

    // ---- macros ---------------------------------------------------------------------------

    private void macro(YamlNode.Mapping m) {
        Optional<String> name = name(m, "macro");
        if (name.isEmpty()) {
            return;
        }
        checkKeys(m, Set.of("macro", "condition", "override", "append"), "macro");
        Optional<YamlNode.Scalar> cond = scalar(m, "condition");
        MacroDef old = macros.get(name.get());
        String mode = mode(m, "condition", Set.of("condition"), Set.of("condition"), "macro", old != null);
        if (cond.isEmpty()) {
            error(m.loc(), "macro '" + name.get() + "' has no condition: expected condition: <filter expression>");
            return;
        }
        if (mode.equals("append") && old != null) {
            macros.put(name.get(), new MacroDef(name.get(), old.condition().append(cond.get()), old.loc()));
        } else if (!mode.equals("error")) {
            if (mode.equals("define") && old != null) {
                redefined("macro", name.get(), m.loc(), old.loc(), "override: {condition: replace}");
            }
            macros.put(name.get(), new MacroDef(name.get(), CondText.of(cond.get()), m.loc()));
        }
    }

    /**
     * "define", "append" or "replace" for the single-key override of lists and macros; "error"
     * when it cannot apply (already reported).
     */
    private String mode(YamlNode.Mapping m, String key, Set<String> append, Set<String> replace, String kind, boolean exists) {
        Optional<YamlNode> ov = m.get("override");
        if (ov.isPresent()) {
            Map<String, String> modes = overrides(ov.get(), append, replace, kind);
            if (modes == null) {
                return "error";
            }
            if (!exists) {
                error(m.loc(), "cannot override " + kind + " '" + name(m, kind).orElse("") + "': no earlier " + kind
                        + " of that name (check the load order of the files)");
                return "error";
            }
            return modes.getOrDefault(key, "error");
        }
        if (m.get("append").map(n -> n instanceof YamlNode.Scalar s && s.text().equals("true")).orElse(false)) {
            if (!exists) {
                error(m.loc(), "cannot append to " + kind + " '" + name(m, kind).orElse("") + "': no earlier " + kind + " of that name");
                return "error";
            }
            return "append";
        }
        return "define";
    }

    /** Reads an override: mapping, checking each key may be appended/replaced; null on error. */
    private Map<String, String> overrides(YamlNode ov, Set<String> append, Set<String> replace, String kind) {
        if (!(ov instanceof YamlNode.Mapping om)) {
            error(ov.loc(), "found " + ov.kind() + " for override, expected a mapping such as override: { condition: append }");
            return null;
        }
        Map<String, String> modes = new LinkedHashMap<>();
        for (var e : om.entries().entrySet()) {
            String how = e.getValue() instanceof YamlNode.Scalar s ? s.text() : "";
            Set<String> allowed = how.equals("append") ? append : how.equals("replace") ? replace : null;
            if (allowed == null) {
                error(e.getValue().loc(), "found '" + how + "' for override of " + e.getKey() + ", expected append or replace");
                return null;
            }
            if (!allowed.contains(e.getKey())) {
                error(om.keyLocs().get(e.getKey()), "a " + kind + "'s " + e.getKey() + " cannot be overridden with " + how
                        + ": expected one of " + String.join(", ", allowed.stream().sorted().toList()));
                return null;
            }
            modes.put(e.getKey(), how);
        }
        return modes;
    }

    // ---- rules ----------------------------------------------------------------------------

    private void rule(YamlNode.Mapping m, String file) {
        Optional<String> nameOpt = name(m, "rule");
        if (nameOpt.isEmpty()) {
            return;
        }
        String name = nameOpt.get();
        checkKeys(m, RULE_KEYS, "rule");
        RuleDef old = rules.get(name);
        Optional<YamlNode> ov = m.get("override");
        boolean legacyAppend = m.get("append").map(n -> n instanceof YamlNode.Scalar s && s.text().equals("true")).orElse(false);
        if (ov.isPresent() || legacyAppend) {
            if (old == null) {
                error(m.loc(), "cannot override rule '" + name + "': no earlier rule of that name (check the load order of the files)");
                return;
            }
            Map<String, String> modes;
            if (ov.isPresent()) {
                modes = overrides(ov.get(), RULE_APPEND, RULE_REPLACE, "rule");
                if (modes == null) {
                    return;
                }
            } else {
                modes = new LinkedHashMap<>();
                for (String k : List.of("condition", "exceptions")) {
                    if (m.entries().containsKey(k)) {
                        modes.put(k, "append");
                    }
                }
            }
            for (String k : m.entries().keySet()) {
                if (!modes.containsKey(k) && !Set.of("rule", "override", "append").contains(k)) {
                    error(m.keyLocs().get(k), "rule '" + name + "' overrides an earlier rule but " + k
                            + " is not in its override: add '" + k + ": append' or '" + k + ": replace', or remove it");
                }
            }
            rules.put(name, apply(old, m, modes));
            if (modes.containsKey("skip-if-unknown-filter")) {
                skipFlag(name, m);
            }
            ruleFile.put(name, file);
            return;
        }
        if (old != null && m.entries().keySet().stream().allMatch(k -> k.equals("rule") || k.equals("enabled"))) {
            boolean enabled = bool(m, "enabled").orElse(old.enabled());
            rules.put(name, new RuleDef(name, old.desc(), old.condition(), old.output(), old.priority(), old.tags(), enabled,
                    old.exceptions(), old.loc()));
            ruleFile.put(name, file);
            return;
        }
        Optional<YamlNode.Scalar> cond = scalar(m, "condition");
        Optional<YamlNode.Scalar> output = scalar(m, "output");
        Optional<Priority> priority = priority(m);
        Optional<YamlNode.Scalar> desc = scalar(m, "desc");
        m.get("source").ifPresent(s -> {
            if (!(s instanceof YamlNode.Scalar sc) || !sc.text().equals("syscall")) {
                error(s.loc(), "found source " + s.kind() + ", expected syscall (the only event source here)");
            }
        });
        for (var req : List.of(Map.entry("condition", cond.isPresent()), Map.entry("output", output.isPresent()),
                Map.entry("desc", desc.isPresent()), Map.entry("priority", m.entries().containsKey("priority")))) {
            if (!req.getValue()) {
                error(m.loc(), "rule '" + name + "' has no " + req.getKey() + ": every new rule needs condition, desc, output and priority");
            }
        }
        if (cond.isEmpty() || output.isEmpty() || priority.isEmpty() || desc.isEmpty()) {
            return;
        }
        if (old != null) {
            redefined("rule", name, m.loc(), old.loc(), "override: {condition: replace, output: replace, ...}");
        }
        rules.put(name, new RuleDef(name, desc.get().text(), CondText.of(cond.get()), output.get(), priority.get(),
                tags(m), bool(m, "enabled").orElse(true), exceptions(m, List.of()), m.loc()));
        skipIfUnknown.remove(name);
        skipFlag(name, m);
        ruleFile.put(name, file);
    }

    private void redefined(String kind, String name, Loc at, Loc earlier, String override) {
        warnings.add(new RuleError(at.file(), at.line(), at.column(), kind + " '" + name + "' is defined again: it replaces the "
                + kind + " at " + earlier.file() + ":" + earlier.line() + " (as in Falco); to change that " + kind + " on purpose use "
                + override + ", else give this one another name"));
    }

    private RuleDef apply(RuleDef r, YamlNode.Mapping m, Map<String, String> modes) {
        for (var e : modes.entrySet()) {
            String k = e.getKey();
            boolean append = e.getValue().equals("append");
            if (!m.entries().containsKey(k)) {
                error(m.loc(), "override names " + k + " but the item has no " + k + ": add it or remove it from override");
                continue;
            }
            switch (k) {
                case "condition" -> {
                    Optional<YamlNode.Scalar> c = scalar(m, k);
                    if (c.isPresent()) {
                        r = r.withCondition(append ? r.condition().append(c.get()) : CondText.of(c.get()));
                    }
                }
                case "output" -> {
                    Optional<YamlNode.Scalar> o = scalar(m, k);
                    if (o.isPresent()) {
                        YamlNode.Scalar out = append ? new YamlNode.Scalar(r.output().text() + " " + o.get().text(),
                                r.output().loc(), r.output().positions(), false) : o.get();
                        r = new RuleDef(r.name(), r.desc(), r.condition(), out, r.priority(), r.tags(), r.enabled(), r.exceptions(), r.loc());
                    }
                }
                case "desc" -> {
                    Optional<YamlNode.Scalar> d = scalar(m, k);
                    if (d.isPresent()) {
                        String desc = append ? r.desc() + " " + d.get().text() : d.get().text();
                        r = new RuleDef(r.name(), desc, r.condition(), r.output(), r.priority(), r.tags(), r.enabled(), r.exceptions(), r.loc());
                    }
                }
                case "tags" -> {
                    List<String> tags = new ArrayList<>(append ? r.tags() : List.of());
                    tags.addAll(tags(m));
                    r = new RuleDef(r.name(), r.desc(), r.condition(), r.output(), r.priority(), List.copyOf(tags), r.enabled(), r.exceptions(), r.loc());
                }
                case "priority" -> {
                    Optional<Priority> p = priority(m);
                    if (p.isPresent()) {
                        r = new RuleDef(r.name(), r.desc(), r.condition(), r.output(), p.get(), r.tags(), r.enabled(), r.exceptions(), r.loc());
                    }
                }
                case "enabled" -> r = new RuleDef(r.name(), r.desc(), r.condition(), r.output(), r.priority(), r.tags(),
                        bool(m, k).orElse(r.enabled()), r.exceptions(), r.loc());
                case "exceptions" -> r = new RuleDef(r.name(), r.desc(), r.condition(), r.output(), r.priority(), r.tags(),
                        r.enabled(), exceptions(m, append ? r.exceptions() : List.of()), r.loc());
                default -> { } // warn_evttypes: accepted, no effect here; skip-if-unknown-filter: the caller's skipFlag
            }
        }
        return r;
    }

    /** Reads exceptions: onto {@code base}; an exception of a name already there gets its values appended. */
    private List<ExceptionDef> exceptions(YamlNode.Mapping m, List<ExceptionDef> base) {
        List<ExceptionDef> out = new ArrayList<>(base);
        Optional<YamlNode> node = m.get("exceptions");
        if (node.isEmpty()) {
            return List.copyOf(out);
        }
        if (!(node.get() instanceof YamlNode.Seq seq)) {
            error(node.get().loc(), "found " + node.get().kind() + " for exceptions, expected a list of - name: ... fields: ... values: ...");
            return List.copyOf(out);
        }
        for (YamlNode n : seq.items()) {
            if (!(n instanceof YamlNode.Mapping em)) {
                error(n.loc(), "found " + n.kind() + " in exceptions, expected - name: NAME, fields: [...], values: [[...]]");
                continue;
            }
            checkKeys(em, Set.of("name", "fields", "comps", "values"), "exception");
            Optional<String> name = name(em, "name");
            if (name.isEmpty()) {
                continue;
            }
            List<YamlNode> values = em.get("values").map(v -> v instanceof YamlNode.Seq s ? s.items() : null).orElse(List.of());
            if (values == null) {
                error(em.get("values").get().loc(), "found " + em.get("values").get().kind() + " for values, expected a list of value tuples");
                continue;
            }
            int existing = indexOf(out, name.get());
            if (existing >= 0 && !em.entries().containsKey("fields")) {
                ExceptionDef old = out.get(existing);
                List<YamlNode> all = new ArrayList<>(old.values());
                all.addAll(values);
                ExceptionDef merged = new ExceptionDef(old.name(), old.fields(), old.tuple(), old.comps(), List.copyOf(all), old.loc());
                if (checkValues(merged, values)) {
                    out.set(existing, merged);
                }
                continue;
            }
            Optional<YamlNode> fieldsNode = em.get("fields");
            if (fieldsNode.isEmpty()) {
                error(em.loc(), "exception '" + name.get() + "' has no fields: expected fields: [proc.name, fd.name]");
                continue;
            }
            boolean tuple = fieldsNode.get() instanceof YamlNode.Seq;
            List<YamlNode.Scalar> fields = scalars(fieldsNode.get(), "fields");
            List<String> comps = new ArrayList<>();
            Optional<YamlNode> compsNode = em.get("comps");
            if (compsNode.isPresent()) {
                for (YamlNode.Scalar c : scalars(compsNode.get(), "comps")) {
                    comps.add(c.text());
                }
            } else {
                for (int i = 0; i < fields.size(); i++) {
                    comps.add(tuple ? "=" : "in");
                }
            }
            if (comps.size() != fields.size()) {
                error(compsNode.map(YamlNode::loc).orElse(em.loc()), "exception '" + name.get() + "' has " + fields.size()
                        + " fields but " + comps.size() + " comps: expected one comp per field");
                continue;
            }
            ExceptionDef ex = new ExceptionDef(name.get(), fields, tuple, List.copyOf(comps), values, em.loc());
            if (checkValues(ex, values)) {
                if (existing >= 0) {
                    out.set(existing, ex);
                } else {
                    out.add(ex);
                }
            }
        }
        return List.copyOf(out);
    }

    private boolean checkValues(ExceptionDef ex, List<YamlNode> values) {
        boolean ok = true;
        for (YamlNode v : values) {
            int n = v instanceof YamlNode.Seq s ? s.items().size() : 1;
            if (ex.tuple() && (!(v instanceof YamlNode.Seq) || n != ex.fields().size())) {
                error(v.loc(), "exception '" + ex.name() + "': found " + (v instanceof YamlNode.Seq ? n + " values" : v.kind())
                        + ", expected a tuple of " + ex.fields().size() + " (one per field: "
                        + ex.fields().stream().map(YamlNode.Scalar::text).collect(Collectors.joining(", ")) + ")");
                ok = false;
            }
        }
        return ok;
    }

    private static int indexOf(List<ExceptionDef> l, String name) {
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    // ---- small readers ---------------------------------------------------------------------

    private Optional<String> name(YamlNode.Mapping m, String key) {
        return scalar(m, key).map(YamlNode.Scalar::text).filter(s -> {
            if (s.isBlank()) {
                error(m.loc(), "empty " + key + " name");
                return false;
            }
            return true;
        });
    }

    private Optional<YamlNode.Scalar> scalar(YamlNode.Mapping m, String key) {
        Optional<YamlNode> n = m.get(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        if (n.get() instanceof YamlNode.Scalar s && !s.isNull()) {
            return Optional.of(s);
        }
        error(n.get().loc(), "found " + n.get().kind() + " for " + key + ", expected text");
        return Optional.empty();
    }

    private List<YamlNode.Scalar> scalars(YamlNode n, String key) {
        if (n instanceof YamlNode.Scalar s) {
            return s.isNull() ? List.of() : List.of(s);
        }
        List<YamlNode.Scalar> out = new ArrayList<>();
        if (n instanceof YamlNode.Seq seq) {
            for (YamlNode i : seq.items()) {
                if (i instanceof YamlNode.Scalar s) {
                    out.add(s);
                } else {
                    error(i.loc(), "found " + i.kind() + " in " + key + ", expected a single value");
                }
            }
            return List.copyOf(out);
        }
        error(n.loc(), "found " + n.kind() + " for " + key + ", expected a list such as [a, b]");
        return List.of();
    }

    private Optional<Boolean> bool(YamlNode.Mapping m, String key) {
        return scalar(m, key).flatMap(s -> switch (s.text()) {
            case "true" -> Optional.of(true);
            case "false" -> Optional.of(false);
            default -> {
                error(s.loc(), "found '" + s.text() + "' for " + key + ", expected true or false");
                yield Optional.empty();
            }
        });
    }

    private Optional<Priority> priority(YamlNode.Mapping m) {
        return scalar(m, "priority").flatMap(s -> {
            Optional<Priority> p = Priority.parse(s.text());
            if (p.isEmpty()) {
                error(s.loc(), "found priority '" + s.text() + "', expected one of " + PRIORITIES);
            }
            return p;
        });
    }

    private List<String> tags(YamlNode.Mapping m) {
        return m.get("tags").map(n -> scalars(n, "tags").stream().map(YamlNode.Scalar::text).toList()).orElse(List.of());
    }

    private void checkKeys(YamlNode.Mapping m, Set<String> allowed, String kind) {
        for (var e : m.keyLocs().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                error(e.getValue(), "unknown key '" + e.getKey() + "' in a " + kind + ", expected one of "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private void error(Loc loc, String message) {
        errors.add(new RuleError(loc.file(), loc.line(), loc.column(), message));
    }
}
