package io.eunomia.rules.internal;

import io.eunomia.rules.RuleSource;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where things are in DRL text, for problems found in rule metadata after Drools built the base
 * (a built rule knows neither its file nor its line).
 */
public final class DrlText {
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*)");
    /** DRL's package for sources that name none. */
    static final String DEFAULT_PACKAGE = "defaultpkg";

    private DrlText() {}

    /** The package a DRL source declares. */
    public static String packageOf(RuleSource s) {
        Matcher p = PACKAGE.matcher(s.text());
        return p.find() ? p.group(1) : DEFAULT_PACKAGE;
    }

    /** Where the rule of this package and name is written ("rule ..." line); the first source when not found. */
    public static Loc header(List<RuleSource> sources, String pkg, String rule) {
        return annotation(sources, pkg, rule, null);
    }

    /**
     * Where {@code @annotation} of the rule of this package and name is written (the first such
     * annotation after the rule's header), else the header; the first source when neither is found.
     */
    public static Loc annotation(List<RuleSource> sources, String pkg, String rule, String annotation) {
        String q = Pattern.quote(rule);
        Pattern header = Pattern.compile("(?m)^\\s*rule\\s+(\"" + q + "\"|'" + q + "'|" + q + "(?=\\s))");
        for (RuleSource s : sources) {
            if (!packageOf(s).equals(pkg)) {
                continue;
            }
            Matcher m = header.matcher(s.text());
            if (m.find()) {
                int at = annotation == null ? -1 : s.text().indexOf("@" + annotation, m.end());
                int next = s.text().indexOf("\nend", m.end());
                return locate(s, at >= 0 && (next < 0 || at < next) ? at : m.start(1));
            }
        }
        return Loc.unknown(sources.isEmpty() ? "?" : sources.getFirst().name());
    }

    private static Loc locate(RuleSource s, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (s.text().charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new Loc(s.name(), line, offset - lineStart + 1);
    }
}
