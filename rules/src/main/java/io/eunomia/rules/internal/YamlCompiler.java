package io.eunomia.rules.internal;

import io.eunomia.event.EventType;
import io.eunomia.rules.FieldCatalog;
import io.eunomia.rules.FileReadNeeds;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import io.eunomia.rules.internal.RuleModel.RuleDef;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** YAML rule files (in load order) to DRL, one DRL text per file that first defined some rule. */
public final class YamlCompiler {
    /** %field in output templates, as Falco writes them (%proc.name, %syscall.arg.uid). */
    public static final Pattern OUTPUT_FIELD = Pattern.compile("%([a-z][a-z0-9_]*(?:\\.[A-Za-z0-9_]+)+(?:\\[\\d+])?)");

    /**
     * The result.
     *
     * @param drl         DRL per YAML file name, in load order
     * @param sourceLines "file:line" of each YAML rule, by rule name
     * @param ruleLines   per file, the DRL line each generated rule starts on → the YAML rule's location
     * @param rules       number of enabled YAML rules compiled
     * @param warnings    what compiles but deserves a look: a redefinition without override, a
     *                    rule that names no event type or needs every file read
     */
    public record Output(Map<String, String> drl, Map<String, String> sourceLines, Map<String, TreeMap<Integer, Loc>> ruleLines,
                         int rules, List<RuleError> warnings) {}

    private final FieldCatalog catalog;
    private final List<RuleError> errors;
    private final List<RuleError> warnings = new ArrayList<>();
    private final boolean skipUnsupported;
    /** Output fields known from Falco but not filled here: warned about once each, rendered <NA>. */
    private final Map<String, List<String>> outputUnsupported = new LinkedHashMap<>();
    private final Map<String, Loc> outputFirstUse = new LinkedHashMap<>();

    public YamlCompiler(FieldCatalog catalog, List<RuleError> errors) {
        this(catalog, errors, false);
    }

    /**
     * @param skipUnsupported leave out, with a warning, the rules whose conditions need a field that
     *                        cannot be filled here, instead of failing (as each such rule's own
     *                        skip-if-unknown-filter: true does)
     */
    public YamlCompiler(FieldCatalog catalog, List<RuleError> errors, boolean skipUnsupported) {
        this.catalog = catalog;
        this.errors = errors;
        this.skipUnsupported = skipUnsupported;
    }

    /** A file-event rule's bound on the events an analysis models, as its annotation's value; empty when unbounded. */
    private static Optional<String> bound(FileReadAnalysis analysis, Cond full, Map<EventType, Residual> patterns) {
        return patterns.containsKey(EventType.FILE)
                ? analysis.reads(full).filter(p -> p.size() <= FileReadNeeds.MAX_PREFIXES).map(FileReadNeeds::format)
                : Optional.empty();
    }

    public Output compile(List<RuleSource> yaml) {
        YamlDefinitions loader = new YamlDefinitions(errors, warnings);
        for (RuleSource s : yaml) {
            loader.load(s);
        }
        Checker checker = new Checker(catalog, loader.lists(), loader.macros(), errors, warnings);
        checker.checkMacros();
        DrlGenerator gen = new DrlGenerator(catalog);
        FileReadAnalysis reads = new FileReadAnalysis(catalog);
        FileReadAnalysis misses = FileReadAnalysis.missing(catalog);
        FileReadAnalysis timesSet = FileReadAnalysis.timesSet(catalog);
        NetAnalysis net = new NetAnalysis(catalog);
        Map<String, StringBuilder> drl = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Loc>> lines = new LinkedHashMap<>();
        Map<String, String> sourceLines = new LinkedHashMap<>();
        int count = 0;
        UnsupportedFields unsupported = new UnsupportedFields(catalog);
        checker.takeUnsupported();
        for (RuleDef r : loader.rules().values()) {
            Optional<Cond> cond = checker.condition(r.condition());
            boolean[] excFailed = {false};
            Optional<Cond> exc = checker.exceptions(r.exceptions(), excFailed);
            Set<String> unfilled = checker.takeUnsupported();
            if (r.enabled() && !unfilled.isEmpty()) {
                unsupported.add(r.name(), unfilled, skipUnsupported || loader.skipIfUnknown(r.name()), checker::firstUse);
                continue;
            }
            checkOutput(r);
            boolean groupOk = checkGroupBy(r);
            if (!groupOk || cond.isEmpty() || excFailed[0] || !r.enabled()) {
                continue;
            }
            Cond full = exc.<Cond>map(x -> new Cond.All(List.of(cond.get(), new Cond.Neg(x)))).orElse(cond.get());
            Map<EventType, Residual> patterns = gen.specialise(full);
            if (patterns.isEmpty()) {
                Loc at = r.condition().locate(0);
                String what = "rule '" + r.name() + "' can never match: no event type has every field its condition requires "
                        + "(e.g. proc.tty is on exec events only, fd.sport on socket events only; 'eunomia rules fields' lists each field's event types)";
                if (skipUnsupported || loader.skipIfUnknown(r.name())) {
                    warnings.add(new RuleError(at.file(), at.line(), at.column(), what + "; skipped"));
                } else {
                    errors.add(new RuleError(at.file(), at.line(), at.column(), what
                            + "; --skip-unsupported leaves such rules out of a file written for Falco"));
                }
                continue;
            }
            String file = loader.fileOf(r.name());
            StringBuilder b = drl.computeIfAbsent(file, f -> new StringBuilder(DrlGenerator.HEADER));
            lines.computeIfAbsent(file, f -> new TreeMap<>()).put(lineCount(b) + 1, r.loc());
            Optional<String> fileReads = bound(reads, full, patterns);
            Optional<String> missingReads = bound(misses, full, patterns);
            Optional<String> timesNeeded = bound(timesSet, full, patterns);
            boolean everyRead = patterns.containsKey(EventType.FILE) && fileReads.isEmpty();
            warnBroad(r, patterns.keySet(), everyRead);
            if (patterns.containsKey(EventType.FILE) && !everyRead && missingReads.isEmpty()) {
                warnEveryMiss(r);
            }
            Optional<String> netEvents = patterns.containsKey(EventType.NET)
                    ? Optional.of(net.events(full).describe()) : Optional.empty();
            b.append(gen.rule(r, patterns, fileReads, missingReads, timesNeeded, netEvents));
            sourceLines.put(r.name(), r.loc().file() + ":" + r.loc().line());
            count++;
        }
        unsupported.report(errors, warnings);
        outputUnsupported.forEach((f, rules) -> {
            Loc at = outputFirstUse.get(f);
            warnings.add(new RuleError(at.file(), at.line(), at.column(), "field " + f + " in the output of " + rules.size()
                    + " rule(s) (" + String.join(", ", rules) + ") cannot be filled here and shows <NA>: "
                    + catalog.unavailable(f).orElse("")));
        });
        Map<String, String> texts = new LinkedHashMap<>();
        for (RuleSource s : yaml) {
            if (drl.containsKey(s.name())) {
                texts.put(s.name(), drl.get(s.name()).toString());
            }
        }
        return new Output(texts, sourceLines, lines, count, List.copyOf(warnings));
    }

    /**
     * Falco warns about a rule that matches every event type; here such a rule also costs every
     * sensor and, when it can match a read of any file, the kernel's read filter for all rules.
     */
    private void warnBroad(RuleDef r, Set<EventType> types, boolean everyRead) {
        boolean everyType = types.containsAll(EnumSet.allOf(EventType.class));
        if (!everyType && !everyRead) {
            return;
        }
        Loc at = r.condition().locate(0);
        String what = everyType
                ? "rule '" + r.name() + "' names no event type: it is evaluated on every event (" + String.join(", ",
                        types.stream().map(EventType::cliName).toList()) + ") and alerts on each that matches"
                        + (everyRead ? ", and it needs every file read" : "")
                : "rule '" + r.name() + "' needs every file read (its condition bounds neither fd.name nor fd.directory of opens)";
        String fix = everyType ? "add evt.type = ... (e.g. evt.type = exec) to say which events it is about"
                : "bound the paths (e.g. fd.name startswith /srv/keys/) or leave reads out (e.g. evt.is_open_write = true)";
        warnings.add(new RuleError(at.file(), at.line(), at.column(), what
                + (everyRead ? "; that turns the kernel's read filter off, for all rules, while it is loaded" : "") + ": " + fix));
    }

    /**
     * A rule whose reads are bounded but whose failed opens are not (e.g. evt.failed = true alone) needs
     * every open of a missing file: that turns the kernel's miss filter off for all rules. (A rule that
     * needs every read is warned about by {@link #warnBroad}; its fixes bound both.)
     */
    private void warnEveryMiss(RuleDef r) {
        Loc at = r.condition().locate(0);
        warnings.add(new RuleError(at.file(), at.line(), at.column(), "rule '" + r.name() + "' needs every open of a missing file "
                + "(ENOENT; its condition can match a failed open and bounds neither fd.name nor fd.directory of opens); that turns "
                + "the kernel's miss filter off, for all rules, while it is loaded: bound the paths (e.g. fd.name startswith "
                + "/srv/keys/) or leave missing files out (e.g. evt.res != ENOENT)"));
    }

    private void checkOutput(RuleDef r) {
        Matcher m = OUTPUT_FIELD.matcher(r.output().text());
        while (m.find()) {
            String f = m.group(1);
            if (catalog.field(f).isEmpty()) {
                Loc at = r.output().at(m.start());
                if (catalog.unavailable(f).isPresent()) {
                    List<String> rules = outputUnsupported.computeIfAbsent(f, k -> new ArrayList<>());
                    if (!rules.contains(r.name())) {
                        rules.add(r.name());
                    }
                    outputFirstUse.putIfAbsent(f, at);
                } else {
                    errors.add(new RuleError(at.file(), at.line(), at.column(),
                            "unknown field '%" + f + "' in the output" + Checker.fieldSuggestion(f, catalog)));
                }
            }
        }
    }

    /** Each field of group_by must be one the catalog knows (the alert groups read it from the event). */
    private boolean checkGroupBy(RuleDef r) {
        boolean ok = true;
        for (YamlNode.Scalar f : r.groupBy() == null ? List.<YamlNode.Scalar>of() : r.groupBy()) {
            if (catalog.field(f.text()).isEmpty()) {
                String why = catalog.unavailable(f.text()).map(w -> "field " + f.text() + " in group_by is not available: " + w)
                        .orElse("unknown field '" + f.text() + "' in group_by, expected a field such as proc.name or fd.name"
                                + Checker.fieldSuggestion(f.text(), catalog));
                errors.add(new RuleError(f.loc().file(), f.loc().line(), f.loc().column(), why));
                ok = false;
            }
        }
        return ok;
    }

    private static int lineCount(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /** Errors Drools found in generated DRL, moved to the YAML rule they came from. */
    public static List<RuleError> relocate(List<RuleError> drlErrors, Output out) {
        List<RuleError> moved = new ArrayList<>();
        for (RuleError e : drlErrors) {
            String file = e.file().endsWith(".drl") ? e.file().substring(0, e.file().length() - 4) : e.file();
            TreeMap<Integer, Loc> lines = out.ruleLines().get(file);
            if (lines == null) {
                moved.add(e);
                continue;
            }
            var entry = lines.floorEntry(Math.max(e.line(), 1));
            Loc at = entry == null ? Loc.unknown(file) : entry.getValue();
            moved.add(new RuleError(at.file(), at.line(), at.column(), "the DRL generated for this rule does not compile "
                    + "(a bug in the YAML compiler; please report it with the rule): " + e.message()));
        }
        return moved;
    }
}
