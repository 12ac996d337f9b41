package io.eunomia.rules;

import io.eunomia.event.EventType;
import io.eunomia.event.FileEvent;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetInterest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.base.rule.EntryPointId;
import org.drools.base.rule.Pattern;
import org.drools.base.rule.RuleConditionElement;
import org.drools.base.base.ClassObjectType;
import org.kie.api.KieBase;
import org.kie.api.builder.Message;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import io.eunomia.rules.internal.CacheKey;
import io.eunomia.rules.internal.DrlText;
import io.eunomia.rules.internal.KieModules;
import io.eunomia.rules.internal.Preamble;
import io.eunomia.rules.internal.Loc;
import io.eunomia.rules.internal.Precompiled;

/**
 * Builds a STREAM-mode rule base from DRL sources (YAML rules arrive here already compiled to
 * DRL). Rule metadata comes from DRL annotations: {@code @priority("CRITICAL")},
 * {@code @tags("mitre_execution,T1059")}, {@code @output("... %proc.name ...")},
 * {@code @desc("...")}, and {@code @rule("...")} when the rule's own name differs from the DRL
 * rule's (several DRL rules generated from one YAML rule). A rule that reads {@code FileEvent}
 * declares the reads it needs with {@code @fileReads} ({@link FileReadNeeds}), one that reads
 * {@code NetEvent} the socket events it can match with {@code @netEvents} ({@link NetInterest}; every
 * one without it).
 */
public final class DrlCompiler {
    private static final System.Logger LOG = System.getLogger(DrlCompiler.class.getName());

    private DrlCompiler() {}

    /**
     * @param sources DRL sources, in load order
     * @param sourceLines where each rule was written ("file:line"), by rule name, when the caller
     *                    knows better than the DRL (YAML rules)
     */
    public static RuleBase compile(List<RuleSource> sources, Map<String, String> sourceLines) throws RuleCompileException {
        return compile(sources, sourceLines, RuleCache.NONE);
    }

    /**
     * As {@link #compile(List, Map)}, taking a built rule base from the jar's precompiled ones or
     * the cache when these exact sources were built before, and leaving a new build in the cache.
     */
    public static RuleBase compile(List<RuleSource> sources, Map<String, String> sourceLines, RuleCache cache)
            throws RuleCompileException {
        return compile(sources, sourceLines, cache, List.of(), true);
    }

    /**
     * As {@link #compile(List, Map, RuleCache)}, adding the warnings found before (in YAML).
     *
     * @param executable build the executable model (what runs fast) when no earlier build is at
     *                   hand; else the interpreted one, several times faster to build, with the
     *                   same errors, rules, event types and reads (for checking rules)
     */
    static RuleBase compile(List<RuleSource> sources, Map<String, String> sourceLines, RuleCache cache, List<RuleError> earlier,
                            boolean executable) throws RuleCompileException {
        List<RuleSource> all = new ArrayList<>();
        all.addAll(Preamble.forPackagesOf(sources));
        all.addAll(sources);
        Map<String, String> drl = new LinkedHashMap<>();
        for (RuleSource s : sources) {
            drl.put(s.name(), s.text());
        }
        long start = System.nanoTime();
        String key = CacheKey.of(all);
        KieBase kieBase = cached(key, cache);
        boolean hit = kieBase != null;
        if (!hit) {
            kieBase = executable ? build(all, drl, key, cache) : interpreted(all, drl);
        }
        LOG.log(System.Logger.Level.DEBUG, (hit ? "rules loaded from an earlier build " : "rules compiled, build ")
                + key + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        Map<String, RuleInfo> infos = new LinkedHashMap<>();
        Map<RuleBase.DroolsRule, RuleInfo> firing = new LinkedHashMap<>();
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        FileReadNeeds reads = FileReadNeeds.NONE;
        FileReadNeeds misses = FileReadNeeds.NONE;
        FileReadNeeds times = FileReadNeeds.NONE;
        NetInterest net = NetInterest.NONE;
        List<RuleError> errors = new ArrayList<>();
        List<RuleError> warnings = new ArrayList<>(earlier);
        for (KiePackage p : kieBase.getKiePackages()) {
            for (Rule r : p.getRules()) {
                boolean fromYaml = sourceLines.containsKey(authorName(r));
                RuleInfo info = info(r, sourceLines, sources, errors);
                // @internal("true"): a helper rule that derives facts for others and raises nothing;
                // it still counts for event types and file reads, not as a rule of the pack.
                if (!"true".equals(String.valueOf(r.getMetaData().get("internal")))) {
                    RuleInfo first = infos.putIfAbsent(info.name(), info);
                    if (first != null && !first.equals(info)) {
                        warnings.add(at(DrlText.header(sources, r.getPackageName(), r.getName()), "rule '" + info.name()
                                + "' has the name of the rule at " + first.source() + ": its alerts are reported as that rule's"
                                + " (priority, output, tags); give it another name"));
                    }
                    firing.put(RuleBase.DroolsRule.of(r), first == null ? info : first);
                }
                if (r instanceof RuleImpl impl) {
                    collectTypes(impl.getLhs(), types);
                    if (!fromYaml) {
                        broadPattern(impl.getLhs()).ifPresent(c -> warnings.add(at(DrlText.header(sources, r.getPackageName(),
                                r.getName()), everyTypeWarning(r.getName(), c))));
                    }
                    if (readsFiles(impl.getLhs())) {
                        FileReadNeeds needs = fileReads(r, info, sources, errors);
                        if (needs.all() && !fromYaml && r.getMetaData().get(FileReadNeeds.ANNOTATION) == null) {
                            // YAML rules are warned about by the YAML compiler, at their condition.
                            warnings.add(at(DrlText.header(sources, r.getPackageName(), r.getName()), "rule '" + r.getName() + "' reads FileEvent "
                                    + "without @" + FileReadNeeds.ANNOTATION + ", so it needs every file read: that turns the "
                                    + "kernel's read filter off, for all rules, while it is loaded; declare what it reads, e.g. @"
                                    + FileReadNeeds.ANNOTATION + "(\"/etc/shadow,/root/.ssh/\") or @" + FileReadNeeds.ANNOTATION
                                    + "(\"none\") for a rule about writes or failed opens"));
                        }
                        if (!fromYaml && r.getMetaData().get(FileReadNeeds.MISSING_ANNOTATION) == null) {
                            // The miss filter is the read filter's twin: one rule without its bound turns it off for all.
                            warnings.add(at(DrlText.header(sources, r.getPackageName(), r.getName()), "rule '" + r.getName()
                                    + "' reads FileEvent without @" + FileReadNeeds.MISSING_ANNOTATION + ", so it needs every "
                                    + "open of a missing file (ENOENT): that turns the kernel's miss filter off, for all rules, "
                                    + "while it is loaded; declare the missing files it can match, e.g. @"
                                    + FileReadNeeds.MISSING_ANNOTATION + "(\"/etc/shadow\") or @" + FileReadNeeds.MISSING_ANNOTATION
                                    + "(\"none\") for a rule no failed open of a missing file can match (writes, result != -2)"));
                        }
                        reads = reads.plus(needs);
                        misses = misses.plus(declaredReads(r, info, FileReadNeeds.MISSING_ANNOTATION, sources, errors));
                        times = times.plus(declaredReads(r, info, FileReadNeeds.TIMES_ANNOTATION, sources, errors));
                    }
                    if (readsClass(impl.getLhs(), NetEvent.class)) {
                        net = net.plus(netEvents(r, sources, errors));
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleCompileException(errors);
        }
        return new RuleBase(kieBase, new ArrayList<>(infos.values()), types, drl, firing, reads, misses, times, net, warnings);
    }

    private static RuleError at(Loc loc, String message) {
        return new RuleError(loc.file(), loc.line(), loc.column(), message);
    }

    /** A rule base built before from the same sources: shipped in the jar, or in the cache. */
    private static KieBase cached(String key, RuleCache cache) {
        byte[] kjar = Precompiled.find(key).or(() -> cache.get(key)).orElse(null);
        if (kjar == null) {
            return null;
        }
        try {
            return KieModules.load(kjar);
        } catch (RuntimeException | LinkageError e) {  // a kjar of other classes (e.g. a newer class-file version)
            LOG.log(System.Logger.Level.WARNING, "cached rule build " + key + " does not load (" + e + "); compiling again");
            return null;
        }
    }

    private static KieBase build(List<RuleSource> all, Map<String, String> drl, String key, RuleCache cache)
            throws RuleCompileException {
        KieModules.Built built = KieModules.executable(all);
        if (built.ok()) {
            cache.put(key, built.kjar());
            return built.kieBase();
        }
        // The interpreted build names errors by DRL file, line and column; the executable model's
        // point into Java it generated. Ask the first for what is wrong with the rules.
        KieBase interpreted = interpreted(all, drl);
        // Valid rules the executable model cannot take: run them interpreted (slower), and say why.
        LOG.log(System.Logger.Level.WARNING, "these rules run interpreted, about five times slower, because Drools' executable model rejects them: "
                + built.errors().stream().map(m -> m.getText().lines().findFirst().orElse("").strip()).distinct().limit(3).toList());
        return interpreted;
    }

    private static KieBase interpreted(List<RuleSource> all, Map<String, String> drl) throws RuleCompileException {
        KieModules.Built interpreted = KieModules.interpreted(all);
        if (!interpreted.ok()) {
            List<RuleError> errors = new ArrayList<>();
            for (Message m : interpreted.errors()) {
                errors.add(DrlMessages.error(m, drl));
            }
            throw new RuleCompileException(errors);
        }
        return interpreted.kieBase();
    }

    /** The rule's name as its author wrote it: {@code @rule} when the Drools name differs (generated from YAML). */
    private static String authorName(Rule r) {
        return String.valueOf(r.getMetaData().getOrDefault("rule", r.getName()));
    }

    private static RuleInfo info(Rule r, Map<String, String> sourceLines, List<RuleSource> sources, List<RuleError> errors) {
        Map<String, Object> meta = r.getMetaData();
        String priorityText = String.valueOf(meta.getOrDefault("priority", "WARNING"));
        Priority priority = Priority.parse(priorityText).orElse(Priority.WARNING);
        String tags = String.valueOf(meta.getOrDefault("tags", ""));
        List<String> tagList = tags.isBlank() ? List.of()
                : Arrays.stream(tags.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        String name = authorName(r);
        String source = sourceLines.get(name);
        if (source == null) {
            Loc header = DrlText.header(sources, r.getPackageName(), r.getName());
            source = header.line() > 0 ? header.file() + ":" + header.line() : r.getPackageName();
        }
        return new RuleInfo(name, priority, String.valueOf(meta.getOrDefault("desc", "")),
                String.valueOf(meta.getOrDefault("output", r.getName())), tagList, source, groupBy(r, sources, errors));
    }

    /** The fields of a rule's {@code @groupBy}; an unknown field is an error at the annotation. */
    private static Optional<List<String>> groupBy(Rule r, List<RuleSource> sources, List<RuleError> errors) {
        Object declared = r.getMetaData().get(RuleInfo.GROUP_BY);
        if (declared == null) {
            return Optional.empty();
        }
        List<String> fields = Arrays.stream(String.valueOf(declared).split(",")).map(String::strip).filter(f -> !f.isEmpty()).toList();
        FieldCatalog catalog = FieldCatalog.standard();
        for (String f : fields) {
            if (catalog.field(f).isEmpty()) {
                Loc at = DrlText.annotation(sources, r.getPackageName(), r.getName(), RuleInfo.GROUP_BY);
                errors.add(new RuleError(at.file(), at.line(), at.column(), "rule '" + r.getName() + "': @" + RuleInfo.GROUP_BY
                        + " names unknown field '" + f + "': expected fields separated by commas, e.g. @" + RuleInfo.GROUP_BY
                        + "(\"proc.name,fd.name\") ('eunomia rules fields' lists them)"));
            }
        }
        return Optional.of(fields);
    }

    /** The reads a rule's {@code @fileReads} declares; every read without it. A bad value is an error at the annotation. */
    private static FileReadNeeds fileReads(Rule r, RuleInfo info, List<RuleSource> sources, List<RuleError> errors) {
        return declaredReads(r, info, FileReadNeeds.ANNOTATION, sources, errors);
    }

    /** The opens a rule's annotation (@fileReads, @missingReads) declares; every one without it. */
    private static FileReadNeeds declaredReads(Rule r, RuleInfo info, String annotation, List<RuleSource> sources,
                                               List<RuleError> errors) {
        Object declared = r.getMetaData().get(annotation);
        if (declared == null) {
            return FileReadNeeds.ofRule(info.name(), Optional.empty());
        }
        try {
            return FileReadNeeds.ofRule(info.name(), FileReadNeeds.parse(String.valueOf(declared), annotation));
        } catch (IllegalArgumentException e) {
            Loc at = DrlText.annotation(sources, r.getPackageName(), r.getName(), annotation);
            errors.add(new RuleError(at.file(), at.line(), at.column(), "rule '" + r.getName() + "': " + e.getMessage()));
            return FileReadNeeds.ALL;
        }
    }

    /** The socket events a rule's {@code @netEvents} declares; every one without it. A bad value is an error at the annotation. */
    private static NetInterest netEvents(Rule r, List<RuleSource> sources, List<RuleError> errors) {
        Object declared = r.getMetaData().get(NetInterest.ANNOTATION);
        if (declared == null) {
            return NetInterest.ALL;
        }
        try {
            return NetInterest.parse(String.valueOf(declared));
        } catch (IllegalArgumentException e) {
            Loc at = DrlText.annotation(sources, r.getPackageName(), r.getName(), NetInterest.ANNOTATION);
            errors.add(new RuleError(at.file(), at.line(), at.column(), "rule '" + r.getName() + "': " + e.getMessage()));
            return NetInterest.ALL;
        }
    }

    /** The class of a pattern that matches more than one event type (Event, Object), if the rule has one. */
    private static Optional<Class<?>> broadPattern(RuleConditionElement e) {
        if (e instanceof Pattern p && readsFacts(p) && p.getObjectType() instanceof ClassObjectType c
                && Arrays.stream(EventType.values()).filter(t -> c.getClassType().isAssignableFrom(t.recordClass())).count() > 1) {
            return Optional.of(c.getClassType());
        }
        for (RuleConditionElement child : e.getNestedElements()) {
            Optional<Class<?>> found = broadPattern(child);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** As the YAML compiler's warning about a rule that names no event type: it works, at the cost of every sensor. */
    private static String everyTypeWarning(String rule, Class<?> c) {
        return "rule '" + rule + "' matches " + c.getSimpleName() + "( ... ), not one event type: it is evaluated on every "
                + "event (" + String.join(", ", Arrays.stream(EventType.values()).map(EventType::cliName).toList())
                + "), which loads every sensor; name the type it is about, e.g. ExecEvent( ... ) or FileEvent( ... ) "
                + "(one rule a type when it is about several)";
    }

    /** Whether a pattern of the rule can match file events: FileEvent or a supertype (Event, Object). */
    private static boolean readsFiles(RuleConditionElement e) {
        return readsClass(e, FileEvent.class);
    }

    /** Whether a pattern of the rule can match events of this record class: it or a supertype (Event, Object). */
    private static boolean readsClass(RuleConditionElement e, Class<?> record) {
        if (e instanceof Pattern p && readsFacts(p) && p.getObjectType() instanceof ClassObjectType c
                && c.getClassType().isAssignableFrom(record)) {
            return true;
        }
        for (RuleConditionElement child : e.getNestedElements()) {
            if (readsClass(child, record)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a pattern matches facts of the session, not the result of an accumulate, collect or
     * from (which the interpreted build types as Object: it would seem to read every event).
     */
    private static boolean readsFacts(Pattern p) {
        return p.getSource() == null || p.getSource() instanceof EntryPointId;
    }

    /**
     * The rule's patterns on events, each as the class and the constraints an event must pass on its
     * own (those the session filter tests before an event enters the session), e.g.
     * {@code FileEvent(op == FileOp.OPEN, path str[startsWith] "/secret")}; {@code ExecEvent()}: every one.
     */
    static void collectAdmissions(RuleConditionElement e, List<String> out) {
        if (e instanceof Pattern p && readsFacts(p) && p.getObjectType() instanceof ClassObjectType c
                && Arrays.stream(EventType.values()).anyMatch(t -> c.getClassType().isAssignableFrom(t.recordClass()))) {
            List<String> alpha = p.getConstraints().stream()
                    .filter(x -> x.getType() == org.drools.base.rule.constraint.Constraint.ConstraintType.ALPHA)
                    .map(DrlCompiler::constraintText).toList();
            out.add(c.getClassType().getSimpleName() + "(" + String.join(", ", alpha) + ")");
        }
        for (RuleConditionElement child : e.getNestedElements()) {
            collectAdmissions(child, out);
        }
    }

    private static String constraintText(org.drools.base.rule.constraint.Constraint c) {
        if (c instanceof org.drools.mvel.MVELConstraint m) {
            return m.getExpression();
        }
        return String.valueOf(c);
    }

    /**
     * The event types the rule's patterns can match: a pattern on {@code Event} (or {@code Object})
     * matches events of every type, so all of them are read (they need their sensors and enter the session).
     */
    static void collectTypes(RuleConditionElement e, Set<EventType> out) {
        if (e instanceof Pattern p && readsFacts(p) && p.getObjectType() instanceof ClassObjectType c) {
            for (EventType t : EventType.values()) {
                if (c.getClassType().isAssignableFrom(t.recordClass())) {
                    out.add(t);
                }
            }
        }
        for (RuleConditionElement child : e.getNestedElements()) {
            collectTypes(child, out);
        }
    }

}
