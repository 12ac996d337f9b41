package io.eunomia.rules;

import io.eunomia.rules.internal.YamlCompiler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles rule files, YAML and DRL, in load order, into one rule base. YAML files are read
 * together (later files override earlier lists, macros and rules) and compiled to DRL; DRL files
 * pass through as written. Every error of every file is collected before failing.
 */
public final class RuleCompiler {
    private RuleCompiler() {}

    /** Compiles the sources; throws with every error found, each with file:line:column. */
    public static RuleBase compile(List<RuleSource> sources) throws RuleCompileException {
        return compile(sources, RuleCache.NONE);
    }

    /** As {@link #compile(List)}, reusing (and leaving) builds of the same sources in a cache. */
    public static RuleBase compile(List<RuleSource> sources, RuleCache cache) throws RuleCompileException {
        return compile(sources, cache, true, false);
    }

    /**
     * As {@link #compile(List, RuleCache)}; with skipUnsupported, YAML rules that need a field
     * that cannot be filled here are left out with a warning (naming them) instead of failing.
     */
    public static RuleBase compile(List<RuleSource> sources, RuleCache cache, boolean skipUnsupported) throws RuleCompileException {
        return compile(sources, cache, true, skipUnsupported);
    }

    /**
     * As {@link #compile(List)} for checking rules: the same errors, rules, event types, reads and
     * warnings, from Drools' interpreted build, which takes a third of the time of the executable
     * model's (the rule base runs, slower).
     */
    public static RuleBase check(List<RuleSource> sources) throws RuleCompileException {
        return check(sources, false);
    }

    /** As {@link #check(List)}, with {@link #compile(List, RuleCache, boolean)}'s skipUnsupported. */
    public static RuleBase check(List<RuleSource> sources, boolean skipUnsupported) throws RuleCompileException {
        return compile(sources, RuleCache.NONE, false, skipUnsupported);
    }

    private static RuleBase compile(List<RuleSource> sources, RuleCache cache, boolean executable, boolean skipUnsupported)
            throws RuleCompileException {
        List<RuleError> errors = new ArrayList<>();
        Split split = split(sources, errors);
        YamlCompiler.Output out = new YamlCompiler(FieldCatalog.standard(), errors, skipUnsupported).compile(split.yaml());
        List<RuleSource> drl = new ArrayList<>();
        for (var e : out.drl().entrySet()) {
            drl.add(new RuleSource(e.getKey(), e.getValue()));
        }
        drl.addAll(split.drl());
        if (!errors.isEmpty()) {
            // Still let Drools check the hand-written DRL, so one run reports everything.
            if (!split.drl().isEmpty()) {
                try {
                    DrlCompiler.compile(split.drl(), Map.of());
                } catch (RuleCompileException e) {
                    errors.addAll(e.errors());
                }
            }
            throw new RuleCompileException(errors);
        }
        try {
            return DrlCompiler.compile(drl, out.sourceLines(), cache, out.warnings(), executable);
        } catch (RuleCompileException e) {
            throw new RuleCompileException(YamlCompiler.relocate(e.errors(), out));
        }
    }

    /**
     * The DRL each source amounts to, by source name: the generated DRL of a YAML file (the rules
     * it was the last to define or change, after all overrides), a DRL file's own text. Does not
     * run Drools.
     */
    public static Map<String, String> toDrl(List<RuleSource> sources) throws RuleCompileException {
        return toDrl(sources, false);
    }

    /** As {@link #toDrl(List)}, with {@link #compile(List, RuleCache, boolean)}'s skipUnsupported. */
    public static Map<String, String> toDrl(List<RuleSource> sources, boolean skipUnsupported) throws RuleCompileException {
        List<RuleError> errors = new ArrayList<>();
        Split split = split(sources, errors);
        YamlCompiler.Output out = new YamlCompiler(FieldCatalog.standard(), errors, skipUnsupported).compile(split.yaml());
        if (!errors.isEmpty()) {
            throw new RuleCompileException(errors);
        }
        Map<String, String> drl = new LinkedHashMap<>();
        for (RuleSource s : sources) {
            if (s.isDrl()) {
                drl.put(s.name(), s.text());
            } else if (out.drl().containsKey(s.name())) {
                drl.put(s.name(), out.drl().get(s.name()));
            } else {
                drl.put(s.name(), "// " + s.name() + " defines or changes no enabled rule\n");
            }
        }
        return drl;
    }

    private record Split(List<RuleSource> yaml, List<RuleSource> drl) {}

    private static Split split(List<RuleSource> sources, List<RuleError> errors) {
        List<RuleSource> yaml = new ArrayList<>();
        List<RuleSource> drl = new ArrayList<>();
        for (RuleSource s : sources) {
            if (s.isYaml()) {
                yaml.add(s);
            } else if (s.isDrl()) {
                drl.add(s);
            } else {
                errors.add(new RuleError(s.name(), 0, 0, "not a rule file: expected a name ending in .yaml, .yml or .drl"));
            }
        }
        return new Split(yaml, drl);
    }
}
