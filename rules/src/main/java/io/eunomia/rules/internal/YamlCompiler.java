package io.eunomia.rules.internal;

import io.eunomia.event.EventType;
import io.eunomia.rules.FieldCatalog;
import io.eunomia.rules.FileReadNeeds;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import io.eunomia.rules.internal.RuleModel.RuleDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** YAML rule files (in load order) to DRL, one DRL text per file that first defined some rule. */
public final class YamlCompiler {
    /** %field in output templates, as Falco writes them (%proc.name, %syscall.arg.uid). */
    public static final Pattern OUTPUT_FIELD = Pattern.compile("%([a-z][a-z0-9_]*(?:\\.[A-Za-z0-9_]+)+)");

    /**
     * The result.
     *
     * @param drl         DRL per YAML file name, in load order
     * @param sourceLines "file:line" of each YAML rule, by rule name
     * @param ruleLines   per file, the DRL line each generated rule starts on → the YAML rule's location
     * @param rules       number of enabled YAML rules compiled
     */
    public record Output(Map<String, String> drl, Map<String, String> sourceLines, Map<String, TreeMap<Integer, Loc>> ruleLines,
                         int rules) {}

    private final FieldCatalog catalog;
    private final List<RuleError> errors;

    public YamlCompiler(FieldCatalog catalog, List<RuleError> errors) {
        this.catalog = catalog;
        this.errors = errors;
    }

    public Output compile(List<RuleSource> yaml) {
        RuleLoader loader = new RuleLoader(errors);
        for (RuleSource s : yaml) {
            loader.load(s);
        }
        Checker checker = new Checker(catalog, loader.lists(), loader.macros(), errors);
        checker.checkMacros();
        DrlGenerator gen = new DrlGenerator(catalog);
        FileReadAnalysis reads = new FileReadAnalysis(catalog);
        Map<String, StringBuilder> drl = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Loc>> lines = new LinkedHashMap<>();
        Map<String, String> sourceLines = new LinkedHashMap<>();
        int count = 0;
        for (RuleDef r : loader.rules().values()) {
            Optional<Cond> cond = checker.condition(r.condition());
            boolean[] excFailed = {false};
            Optional<Cond> exc = checker.exceptions(r.exceptions(), excFailed);
            checkOutput(r);
            if (cond.isEmpty() || excFailed[0] || !r.enabled()) {
                continue;
            }
            Cond full = exc.<Cond>map(x -> new Cond.All(List.of(cond.get(), new Cond.Neg(x)))).orElse(cond.get());
            Map<EventType, Residual> patterns = gen.specialise(full);
            if (patterns.isEmpty()) {
                Loc at = r.condition().locate(0);
                errors.add(new RuleError(at.file(), at.line(), at.column(), "rule '" + r.name()
                        + "' can never match: no event type has every field its condition requires "
                        + "(e.g. proc.exe is on exec events only, fd.sport on socket events only; 'eunomia rules fields' lists each field's event types)"));
                continue;
            }
            String file = loader.fileOf(r.name());
            StringBuilder b = drl.computeIfAbsent(file, f -> new StringBuilder(DrlGenerator.HEADER));
            lines.computeIfAbsent(file, f -> new TreeMap<>()).put(lineCount(b) + 1, r.loc());
            Optional<String> fileReads = patterns.containsKey(EventType.FILE)
                    ? reads.reads(full).filter(p -> p.size() <= FileReadNeeds.MAX_PREFIXES).map(FileReadNeeds::format)
                    : Optional.empty();
            b.append(gen.rule(r, patterns, fileReads));
            sourceLines.put(r.name(), r.loc().file() + ":" + r.loc().line());
            count++;
        }
        Map<String, String> texts = new LinkedHashMap<>();
        for (RuleSource s : yaml) {
            if (drl.containsKey(s.name())) {
                texts.put(s.name(), drl.get(s.name()).toString());
            }
        }
        return new Output(texts, sourceLines, lines, count);
    }

    private void checkOutput(RuleDef r) {
        Matcher m = OUTPUT_FIELD.matcher(r.output().text());
        while (m.find()) {
            String f = m.group(1);
            if (catalog.field(f).isEmpty()) {
                Loc at = r.output().at(m.start());
                String why = catalog.unavailable(f).map(w -> "field " + f + " in the output is not available: " + w)
                        .orElse("unknown field '%" + f + "' in the output" + Checker.fieldSuggestion(f, catalog));
                errors.add(new RuleError(at.file(), at.line(), at.column(), why));
            }
        }
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
