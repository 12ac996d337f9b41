package io.eunomia.rules.internal;

import io.eunomia.rules.FieldCatalog;
import io.eunomia.rules.RuleError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Rules left out because their conditions need a field that cannot be filled here (Falco knows it;
 * our events do not carry it). Reported once per field, naming the rules it disables: a warning
 * when each of them may be skipped (skip-if-unknown-filter: true, or --skip-unsupported), else an
 * error: never silently.
 */
final class UnsupportedFields {
    private record Use(Loc first, List<String> skipped, List<String> refused) {}

    private final FieldCatalog catalog;
    private final Map<String, Use> byField = new LinkedHashMap<>();

    UnsupportedFields(FieldCatalog catalog) {
        this.catalog = catalog;
    }

    void add(String rule, Set<String> fields, boolean skippable, Function<String, Loc> firstUse) {
        for (String f : fields) {
            Use u = byField.computeIfAbsent(f, k -> new Use(firstUse.apply(k), new ArrayList<>(), new ArrayList<>()));
            (skippable ? u.skipped() : u.refused()).add(rule);
        }
    }

    void report(List<RuleError> errors, List<RuleError> warnings) {
        byField.forEach((f, u) -> {
            String why = catalog.unavailable(f).orElse("");
            Loc at = u.first() == null ? Loc.unknown("") : u.first();
            if (!u.refused().isEmpty()) {
                errors.add(new RuleError(at.file(), at.line(), at.column(), "field " + f + " cannot be filled here (" + why
                        + "); rules that need it: " + String.join(", ", u.refused()) + ": pass --skip-unsupported to load the "
                        + "other rules without them, mark them skip-if-unknown-filter: true, or disable them (enabled: false)"));
            }
            if (!u.skipped().isEmpty()) {
                warnings.add(new RuleError(at.file(), at.line(), at.column(), "field " + f + " cannot be filled here (" + why
                        + "): rules skipped: " + String.join(", ", u.skipped())));
            }
        });
    }

    /** Rules skipped (not loaded), each once. */
    List<String> skipped() {
        return byField.values().stream().flatMap(u -> u.skipped().stream()).distinct().toList();
    }
}
