package io.eunomia.rules.internal;

import io.eunomia.rules.FieldCatalog;
import io.eunomia.rules.FieldType;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.internal.RuleModel.ExceptionDef;
import io.eunomia.rules.internal.RuleModel.ListDef;
import io.eunomia.rules.internal.RuleModel.MacroDef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Resolves and type-checks conditions against the field catalog: unknown fields, macros and
 * lists, values of the wrong type and operators a field's type does not have are errors, each at
 * the file:line:column where it was written.
 */
public final class Checker {
    private static final Set<String> STRING_OPS = Set.of("=", "!=", "in", "intersects", "contains", "icontains", "startswith", "endswith",
            "glob", "pmatch", "exists");
    private static final Set<String> INT_OPS = Set.of("=", "!=", "<", "<=", ">", ">=", "in", "intersects", "exists");
    private static final Set<String> BOOL_OPS = Set.of("=", "!=", "exists");
    private static final Set<String> LIST_OPS = Set.of("contains", "icontains", "intersects", "exists");
    private static final Set<String> ANY_OPS = Set.of("=", "!=", "in", "intersects", "contains", "icontains", "startswith", "endswith",
            "glob", "pmatch", "exists");
    private static final Set<String> NET_OPS = Set.of("=", "!=", "in", "exists");
    private static final Set<String> ENUM_OPS = Set.of("=", "!=", "in", "exists");
    private static final Set<String> COMPS = Set.of("=", "!=", "<", "<=", ">", ">=", "in", "intersects", "contains", "icontains",
            "startswith", "endswith", "glob", "pmatch");

    private final FieldCatalog catalog;
    private final Map<String, ListDef> lists;
    private final Map<String, MacroDef> macros;
    private final List<RuleError> errors;
    private final List<RuleError> warnings;
    private final Map<String, Optional<Cond>> macroCache = new HashMap<>();
    private final Set<String> expanding = new HashSet<>();
    /** Fields known from Falco but not filled here that the condition being checked uses. */
    private Set<String> unsupported = new LinkedHashSet<>();
    private final Map<String, Set<String>> macroUnsupported = new HashMap<>();
    private final Map<String, Loc> firstUse = new HashMap<>();

    public Checker(FieldCatalog catalog, Map<String, ListDef> lists, Map<String, MacroDef> macros, List<RuleError> errors,
            List<RuleError> warnings) {
        this.catalog = catalog;
        this.lists = lists;
        this.macros = macros;
        this.errors = errors;
        this.warnings = warnings;
    }

    /** Checks every macro on its own (so a broken, unused macro is still reported). */
    public void checkMacros() {
        for (String m : macros.keySet()) {
            macro(m, null);
        }
    }

    /**
     * The unfillable fields (known to Falco, see FieldCatalog#unavailable) used since the last
     * call, through macros too; cleared. A condition that uses one checks as empty without an error:
     * the caller decides whether its rule is skipped or the field reported.
     */
    public Set<String> takeUnsupported() {
        Set<String> s = unsupported;
        unsupported = new LinkedHashSet<>();
        return s;
    }

    /** Where an unfillable field was first used. */
    public Loc firstUse(String field) {
        return firstUse.get(field);
    }

    /** A condition, checked; empty when it had errors (reported). */
    public Optional<Cond> condition(CondText text) {
        Ast ast;
        try {
            ast = Parser.parse(text.text());
        } catch (ConditionException e) {
            error(text.locate(e.offset()), e.getMessage());
            return Optional.empty();
        }
        int before = errors.size();
        int unfilled = unsupported.size();
        Cond c = convert(ast, text::locate);
        return errors.size() == before && unsupported.size() == unfilled ? Optional.of(c) : Optional.empty();
    }

    /** A rule's exceptions as one condition that is true when any exception applies; empty on errors or none. */
    public Optional<Cond> exceptions(List<ExceptionDef> exceptions, boolean[] failed) {
        List<Cond> any = new ArrayList<>();
        int before = errors.size();
        for (ExceptionDef ex : exceptions) {
            List<FieldCatalog.Field> fields = new ArrayList<>();
            for (int i = 0; i < ex.fields().size(); i++) {
                YamlNode.Scalar f = ex.fields().get(i);
                String comp = ex.comps().get(i);
                if (!COMPS.contains(comp)) {
                    error(ex.loc(), "exception '" + ex.name() + "': found comp '" + comp + "', expected one of "
                            + String.join(", ", COMPS.stream().sorted().toList()));
                }
                fields.add(field(f.text(), f.loc()).orElse(null));
            }
            if (errors.size() > before) {
                continue;
            }
            for (YamlNode tuple : ex.values()) {
                List<YamlNode> items = ex.tuple() ? ((YamlNode.Seq) tuple).items() : List.of(tuple);
                List<Cond> all = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    String comp = ex.comps().get(i);
                    List<Ast.Value> vals = new ArrayList<>();
                    List<Loc> locs = new ArrayList<>();
                    YamlNode item = items.get(i);
                    if (item instanceof YamlNode.Seq s && (comp.equals("in") || comp.equals("pmatch") || comp.equals("intersects"))) {
                        for (YamlNode v : s.items()) {
                            if (v instanceof YamlNode.Scalar sc) {
                                vals.add(new Ast.Value(sc.text(), true, locs.size()));
                                locs.add(sc.loc());
                            }
                        }
                    } else if (item instanceof YamlNode.Scalar sc) {
                        // a bare value of an in/pmatch comp may name a list, as in a condition
                        vals.add(new Ast.Value(sc.text(), !(comp.equals("in") || comp.equals("pmatch")), 0));
                        locs.add(sc.loc());
                    } else {
                        error(item.loc(), "exception '" + ex.name() + "': found " + item.kind() + ", expected a value");
                        continue;
                    }
                    Loc at = item.loc();
                    all.add(test(fields.get(i), comp, vals, off -> off < locs.size() ? locs.get(off) : at, at));
                }
                any.add(all.size() == 1 ? all.getFirst() : new Cond.All(List.copyOf(all)));
            }
        }
        if (errors.size() > before) {
            failed[0] = true;
            return Optional.empty();
        }
        return any.isEmpty() ? Optional.empty() : Optional.of(any.size() == 1 ? any.getFirst() : new Cond.Any(List.copyOf(any)));
    }

    private Cond convert(Ast a, IntFunction<Loc> at) {
        return switch (a) {
            case Ast.And x -> new Cond.All(x.terms().stream().map(t -> convert(t, at)).toList());
            case Ast.Or x -> new Cond.Any(x.terms().stream().map(t -> convert(t, at)).toList());
            case Ast.Not x -> new Cond.Neg(convert(x.term(), at));
            case Ast.MacroRef x -> macro(x.name(), at.apply(x.offset())).orElse(new Cond.All(List.of()));
            case Ast.Exists x -> field(x.field(), at.apply(x.offset())).<Cond>map(Cond.Has::new).orElse(new Cond.All(List.of()));
            case Ast.Compare x -> {
                Optional<FieldCatalog.Field> f = field(x.field(), at.apply(x.offset()));
                yield f.isEmpty() ? new Cond.All(List.of()) : test(f.get(), x.op(), x.values(), at, at.apply(x.opOffset()));
            }
        };
    }

    private Optional<Cond> macro(String name, Loc usedAt) {
        if (macroCache.containsKey(name)) {
            unsupported.addAll(macroUnsupported.getOrDefault(name, Set.of()));
            return macroCache.get(name);
        }
        MacroDef m = macros.get(name);
        if (m == null) {
            if (usedAt != null) {
                String hint = lists.containsKey(name) ? ": " + name + " is a list, use it as field in (" + name + ")"
                        : suggestion(name, macros.keySet());
                error(usedAt, "unknown macro '" + name + "'" + (hint.isEmpty() ? ": expected a macro defined earlier, or a comparison such as "
                        + name + " = value" : hint));
            }
            return Optional.empty();
        }
        if (!expanding.add(name)) {
            error(usedAt == null ? m.loc() : usedAt, "macro '" + name + "' refers to itself");
            return Optional.empty();
        }
        Set<String> outer = unsupported;
        unsupported = new LinkedHashSet<>();
        try {
            Optional<Cond> c = condition(m.condition());
            macroCache.put(name, c);
            macroUnsupported.put(name, Set.copyOf(unsupported));
            return c;
        } finally {
            outer.addAll(unsupported);
            unsupported = outer;
            expanding.remove(name);
        }
    }

    private Optional<FieldCatalog.Field> field(String name, Loc at) {
        Optional<FieldCatalog.Field> f = catalog.field(name);
        if (f.isPresent()) {
            return f;
        }
        if (catalog.unavailable(name).isPresent()) {
            String key = name.replaceFirst("\\[[^\\]]*]$", "[...]"); // container.mount.dest[/etc]: reported once for all keys
            unsupported.add(key);
            firstUse.putIfAbsent(key, at);
        } else {
            error(at, "unknown field '" + name + "'" + fieldSuggestion(name, catalog));
        }
        return Optional.empty();
    }

    private Cond test(FieldCatalog.Field f, String op, List<Ast.Value> raw, IntFunction<Loc> at, Loc opAt) {
        if (f == null) {
            return new Cond.All(List.of());
        }
        if (f.type() == FieldType.INT && (op.equals("contains") || op.equals("icontains"))) {
            // Falco prints flags as text (O_WRONLY|O_TRUNC) and lets rules search it
            Optional<FieldCatalog.Field> text = catalog.textForm(f.name());
            if (text.isPresent()) {
                f = text.get();
            }
        }
        if (f.name().equals("proc.tty")) {
            // Falco's proc.tty is the terminal's number, 0 for none; ours is its name, "" for none
            raw = raw.stream().map(v -> v.text().equals("0") ? new Ast.Value("", true, v.offset()) : v).toList();
        }
        boolean isEnum = !f.values().isEmpty();
        boolean evtType = f.name().equals("evt.type");
        Set<String> ops = evtType || isEnum ? ENUM_OPS : switch (f.type()) {
            case STRING -> STRING_OPS;
            case INT -> INT_OPS;
            case BOOL -> BOOL_OPS;
            case STRINGS -> LIST_OPS;
            case ANY_STRING -> ANY_OPS;
            case IPNET, HOST_NAME -> NET_OPS;
        };
        if (!ops.contains(op)) {
            error(opAt, "operator '" + op + "' is not valid for " + f.name() + " (" + f.type().label()
                    + (isEnum || evtType ? ", one of a fixed set of values" : "") + "): expected one of "
                    + String.join(", ", ops.stream().filter(o -> !o.equals("exists")).sorted().toList()));
            return new Cond.All(List.of());
        }
        List<String> values = new ArrayList<>();
        for (Ast.Value v : raw) {
            if (!v.quoted() && (op.equals("in") || op.equals("pmatch") || op.equals("intersects")) && lists.containsKey(v.text())) {
                values.addAll(listItems(v.text(), at.apply(v.offset()), new LinkedHashSet<>()));
            } else {
                values.add(v.text());
            }
        }
        Loc first = raw.isEmpty() ? opAt : at.apply(raw.getFirst().offset());
        for (int i = 0; i < values.size(); i++) {
            Loc vAt = i < raw.size() && raw.size() == values.size() ? at.apply(raw.get(i).offset()) : first;
            String v = values.get(i);
            String problem = null;
            if (evtType) {
                if (catalog.eventKinds(v).isEmpty()) {
                    problem = "unknown event type '" + v + "': expected one of " + String.join(", ", catalog.eventTypeNames())
                            + ", or a system call name";
                } else if (!catalog.reported(v)) {
                    // valid for Falco, but no sensor here reports the call: a rule needing it loads and never fires
                    warn(vAt, "evt.type '" + v + "' is a system call no sensor reports: the condition never matches it"
                            + " (a rule that needs it never fires); besides exec, exit, fork and the file and socket calls,"
                            + " the reported calls are " + String.join(", ", catalog.reportedSyscalls()));
                }
            } else if (isEnum) {
                if (!f.values().contains(v.toLowerCase(Locale.ROOT))) {
                    problem = f.name() + " is one of " + String.join(", ", f.values()) + ": found '" + v + "'";
                }
            } else if (f.type() == FieldType.INT) {
                Optional<Long> n = parseLong(v);
                if (n.isEmpty() && catalog.unavailable(f.name() + " by name").isPresent()) {
                    // Falco compares uid arguments with user names; ours are numbers
                    unsupported.add(f.name() + " by name");
                    firstUse.putIfAbsent(f.name() + " by name", vAt);
                    return new Cond.All(List.of());
                }
                if (n.isEmpty()) {
                    problem = f.name() + " is an int field: found '" + v + "', expected a whole number";
                } else {
                    values.set(i, Long.toString(n.get()));
                }
            } else if (f.type() == FieldType.IPNET) {
                if (!FalcoValues.isNet(v)) {
                    problem = f.name() + " is compared with networks: found '" + v + "', expected an address or a CIDR such as 10.0.0.0/8";
                }
            } else if (f.type() == FieldType.BOOL) {
                if (!v.equals("true") && !v.equals("false")) {
                    problem = f.name() + " is a bool field: found '" + v + "', expected true or false";
                }
            }
            if (problem != null) {
                error(vAt, problem);
                return new Cond.All(List.of());
            }
        }
        String how = op.equals("intersects") && f.type() != FieldType.STRINGS && f.type() != FieldType.ANY_STRING ? "in" : op;
        return new Cond.Test(f, how, List.copyOf(values));
    }

    /** A list's items, items naming other lists replaced by theirs (as Falco does). */
    private List<String> listItems(String name, Loc at, Set<String> visiting) {
        if (!visiting.add(name)) {
            error(at, "list '" + name + "' contains itself");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (YamlNode.Scalar item : lists.get(name).items()) {
            if (lists.containsKey(item.text()) && !item.text().equals(name)) {
                out.addAll(listItems(item.text(), at, visiting));
            } else {
                out.add(unquote(item.text()));
            }
        }
        visiting.remove(name);
        return out;
    }

    /**
     * Falco pastes list items into the condition as written, so an item quoted inside the YAML
     * string ('"10.0.0.0/8"', '"(systemd)"') is that string without its quotes.
     */
    private static String unquote(String item) {
        if (item.length() >= 2 && (item.startsWith("\"") && item.endsWith("\"") || item.startsWith("'") && item.endsWith("'"))) {
            return item.substring(1, item.length() - 1);
        }
        return item;
    }

    static Optional<Long> parseLong(String v) {
        try {
            String s = v.strip();
            boolean neg = s.startsWith("-");
            String d = neg ? s.substring(1) : s;
            long n = d.startsWith("0x") || d.startsWith("0X") ? Long.parseLong(d.substring(2), 16)
                    : d.length() > 1 && d.startsWith("0") ? Long.parseLong(d.substring(1), 8) : Long.parseLong(d);
            return Optional.of(neg ? -n : n);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** ": did you mean X?" for a close field name, else where to find the fields. */
    static String fieldSuggestion(String name, FieldCatalog catalog) {
        String s = suggestion(name, catalog.fields().stream().map(FieldCatalog.Field::name).collect(Collectors.toSet()));
        return s.isEmpty() ? "; 'eunomia rules fields' lists the fields rules can use" : s;
    }

    /** "; did you mean X?" for a close name, else "". */
    static String suggestion(String name, Set<String> known) {
        return known.stream().map(k -> Map.entry(k, distance(name, k)))
                .filter(e -> e.getValue() <= Math.max(2, name.length() / 4))
                .min(Comparator.comparingInt(Map.Entry::getValue))
                .map(e -> ": did you mean " + e.getKey() + "?").orElse("");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private void warn(Loc loc, String message) {
        RuleError w = new RuleError(loc.file(), loc.line(), loc.column(), message);
        if (!warnings.contains(w)) {
            warnings.add(w);
        }
    }

    private void error(Loc loc, String message) {
        RuleError e = new RuleError(loc.file(), loc.line(), loc.column(), message);
        if (!errors.contains(e)) {
            errors.add(e);
        }
    }
}
