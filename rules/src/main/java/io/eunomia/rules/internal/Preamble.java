package io.eunomia.rules.internal;

import io.eunomia.event.EventType;
import io.eunomia.rules.AlertSink;
import io.eunomia.rules.RuleSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Declares the event records as CEP events for every rule base. The executable model applies a
 * type's declared role only to rules of the package that declares it, so the declarations are
 * made once per package the sources use. Events are timestamped when they enter the session (the
 * engine drives the clock); no @expires: Drools infers each type's expiry from the windows and
 * temporal operators of the rules that read it, and the engine lets go of events no rule can use.
 * A package that declares an event type itself (its own @expires, say) keeps its declaration.
 * Every package also gets the {@code alerts} global ({@link AlertSink}) that consequences raise
 * alerts through, so rule files need not declare it (declaring it again is harmless).
 */
public final class Preamble {
    private static final Pattern DECLARE = Pattern.compile("(?m)^\\s*declare\\s+(?:io\\.eunomia\\.event\\.)?(\\w+)\\b");

    private Preamble() {}

    /** One preamble source per package of the sources. */
    public static List<RuleSource> forPackagesOf(List<RuleSource> sources) {
        Map<String, Set<String>> declaredByPackage = new TreeMap<>();
        for (RuleSource s : sources) {
            Set<String> declared = declaredByPackage.computeIfAbsent(DrlText.packageOf(s), k -> new java.util.HashSet<>());
            for (Matcher d = DECLARE.matcher(s.text()); d.find(); ) {
                declared.add(d.group(1));
            }
        }
        List<RuleSource> out = new ArrayList<>();
        declaredByPackage.forEach((pkg, declared) -> out.add(new RuleSource("preamble-" + pkg + ".drl", text(pkg, declared))));
        return out;
    }

    private static String text(String pkg, Set<String> declaredHere) {
        StringBuilder b = new StringBuilder("package ").append(pkg).append(";\nimport io.eunomia.event.*;\n")
                .append("global ").append(AlertSink.class.getName()).append(' ').append(AlertSink.GLOBAL).append(";\n");
        for (EventType t : EnumSet.allOf(EventType.class)) {
            String name = t.recordClass().getSimpleName();
            if (!declaredHere.contains(name)) {
                b.append("declare ").append(name).append(" @role(event) end\n");
            }
        }
        return b.toString();
    }
}
