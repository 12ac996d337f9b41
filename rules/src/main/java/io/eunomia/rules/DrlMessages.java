package io.eunomia.rules;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.kie.api.builder.Message;

/**
 * Turns Drools' build messages (several lines of parser internals) into one line with the
 * location, what was found and what was expected.
 */
final class DrlMessages {
    private static final Pattern MVEL_ERROR = Pattern.compile("\\[Error: ([^\\]]*)\\]");
    private static final Pattern NO_METHOD = Pattern.compile(
            "unable to resolve method using strict-mode: ([\\w.$]+)\\.(\\w+)\\(\\)");
    private static final Pattern LINE_COL = Pattern.compile("\\[Line: (\\d+), Column: (\\d+)\\]");
    private static final Pattern RULE = Pattern.compile("\\[Rule name='([^']*)'\\]");

    private DrlMessages() {}

    static RuleError error(Message m, Map<String, String> sources) {
        String path = m.getPath() == null ? "?" : io.eunomia.rules.internal.KieModules.sourceName(m.getPath());
        String text = m.getText().strip();
        int line = Math.max(m.getLine(), 0);
        int column = Math.max(m.getColumn(), 0);
        String token = null;
        String message = text.lines().findFirst().orElse(text).strip();
        Matcher e = MVEL_ERROR.matcher(text);
        if (e.find()) {
            String detail = e.group(1).strip();
            Matcher nm = NO_METHOD.matcher(detail);
            if (nm.find()) {
                token = nm.group(2);
                message = "found unknown field '" + token + "' of " + simple(nm.group(1)) + ", expected one of: "
                        + components(nm.group(1));
            } else {
                message = message.replaceAll(":$", "") + ": " + detail;
            }
        }
        Matcher lc = LINE_COL.matcher(text);
        if (line == 0 && lc.find()) {
            line = Integer.parseInt(lc.group(1));
        }
        if (column == 0 && token != null && line > 0) {
            column = columnOf(sources, path, line, token);
        }
        Matcher rule = RULE.matcher(text);
        if (rule.find() && !message.contains(rule.group(1))) {
            message += " (rule \"" + rule.group(1) + "\")";
        }
        return new RuleError(path, line, column, message);
    }

    private static String simple(String cls) {
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    private static String components(String cls) {
        try {
            RecordComponent[] rc = Class.forName(cls).getRecordComponents();
            return rc == null ? "its accessors" : Arrays.stream(rc).map(RecordComponent::getName).collect(Collectors.joining(", "));
        } catch (ClassNotFoundException | LinkageError ex) {
            return "its accessors";
        }
    }

    private static int columnOf(Map<String, String> sources, String path, int line, String token) {
        String text = sources.get(path);
        if (text == null && path.endsWith(".drl")) {
            text = sources.get(path.substring(0, path.length() - 4));
        }
        if (text == null) {
            return 0;
        }
        String[] lines = text.split("\n", -1);
        if (line > lines.length) {
            return 0;
        }
        Matcher w = Pattern.compile("\\b" + Pattern.quote(token) + "\\b").matcher(lines[line - 1]);
        return w.find() ? w.start() + 1 : 0;
    }
}
