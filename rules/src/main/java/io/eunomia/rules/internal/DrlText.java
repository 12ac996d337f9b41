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
    private DrlText() {}

    /**
     * Where {@code @annotation} of the named rule is written (the first such annotation after the
     * rule's header), else the header; the first source when neither is found.
     */
    public static Loc annotation(List<RuleSource> sources, String rule, String annotation) {
        String q = Pattern.quote(rule);
        Pattern header = Pattern.compile("(?m)^\\s*rule\\s+(\"" + q + "\"|'" + q + "'|" + q + "(?=\\s))");
        for (RuleSource s : sources) {
            Matcher m = header.matcher(s.text());
            if (m.find()) {
                int at = s.text().indexOf("@" + annotation, m.end());
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
