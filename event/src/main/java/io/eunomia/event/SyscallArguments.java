package io.eunomia.event;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The arguments a {@link SyscallEvent} carries, per system call: numeric ones ({@code args}) and
 * strings ({@code strings}), by name, in record order. They come from the privilege sensor's call
 * table, priv_calls.h (bpf/src/main/bpf), the file priv.bpf.c builds its programs from: one table,
 * so the kernel side, the decoder and the rules ({@code syscall.arg.NAME}, {@code syscall.str.NAME})
 * cannot disagree on a call's arguments.
 */
public final class SyscallArguments {
    /** Where the build puts the table (event/pom.xml copies it from bpf/src/main/bpf). */
    static final String RESOURCE = "/io/eunomia/event/priv_calls.h";

    /** Names of a syscall's reported numbers (args[]) and strings, in record order. */
    public record Call(String syscall, String tracepoint, List<String> args, List<String> strings) {
        public Call {
            args = List.copyOf(args);
            strings = List.copyOf(strings);
        }
    }

    private static final Map<String, Integer> ROW_ARITY = Map.of("PRIV", 4, "PRIV_IF", 5, "PRIV_EXIT_IF", 5, "PRIV_ENTER", 5);
    private static final Map<String, Integer> NUMBER_ARITY = Map.of("INT", 2, "LONG", 2, "MODE", 2, "XATTR_ARGS", 3,
            "FILE_CAPS", 5, "FILE_CAPS_AT", 4);
    private static final Map<String, Integer> STRING_ARITY = Map.ofEntries(Map.entry("USER_STR", 3), Map.entry("PATH", 2),
            Map.entry("PATH_AT", 3), Map.entry("PATH_TEXT", 2), Map.entry("PATH_AT_TEXT", 3), Map.entry("PATH_ENTRY_TEXT", 2),
            Map.entry("PATH_AT_ENTRY_TEXT", 3), Map.entry("USER_STR_TEXT", 3), Map.entry("SHORT_STR_TEXT", 2), Map.entry("FD_PATH", 2),
            Map.entry("MNT_FSTYPE", 2), Map.entry("MNT_DEVNAME", 2), Map.entry("ACL_TEXT", 4), Map.entry("ACL_TEXT_AT", 3));

    private SyscallArguments() {}

    /** Read once: the table does not change while the JVM runs. */
    private static final class Table {
        static final Parsed PARSED = read();
        static final SequencedMap<String, Call> CALLS = Collections.unmodifiableSequencedMap(PARSED.calls());
    }

    /**
     * A table: its calls, the numeric arguments it declares as modes (MODE(n, name)), and the calls
     * judged at exit alone (PRIV_EXIT_IF rows: no enter program).
     */
    record Parsed(SequencedMap<String, Call> calls, Set<String> modes, Set<String> exitOnly) {}

    /** The table in the jar, by syscall name. */
    public static SequencedMap<String, Call> load() {
        return Table.CALLS;
    }

    /** The numeric arguments that are a file mode somewhere (people read them in octal, as chmod writes them). */
    public static Set<String> modeNames() {
        return Table.PARSED.modes();
    }

    /** The syscalls whose program runs at exit alone (their filters read only registers the exit still holds). */
    public static Set<String> exitOnly() {
        return Table.PARSED.exitOnly();
    }

    /** Each numeric argument name → the calls that have it (sorted). */
    public static Map<String, List<String>> numberNames() {
        return byName(Call::args);
    }

    /** Each string argument name → the calls that have it (sorted). */
    public static Map<String, List<String>> stringNames() {
        return byName(Call::strings);
    }

    private static Map<String, List<String>> byName(Function<Call, List<String>> names) {
        Map<String, TreeSet<String>> calls = new TreeMap<>();
        load().values().forEach(c -> names.apply(c).forEach(n -> calls.computeIfAbsent(n, k -> new TreeSet<>()).add(c.syscall())));
        Map<String, List<String>> out = new TreeMap<>();
        calls.forEach((n, c) -> out.put(n, List.copyOf(c)));
        return out;
    }

    private static Parsed read() {
        try (InputStream in = SyscallArguments.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar: rebuild the event module");
            }
            return parseTable("priv_calls.h", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Parses the rows of a table. Throws IllegalArgumentException "file:line:column: what" for
     * anything that is not a well-formed row.
     */
    static SequencedMap<String, Call> parse(String file, String text) {
        return parseTable(file, text).calls();
    }

    static Parsed parseTable(String file, String text) {
        Parser p = new Parser(file, text);
        Set<String> modes = new TreeSet<>();
        Set<String> exitOnly = new TreeSet<>();
        SequencedMap<String, Call> calls = new LinkedHashMap<>();
        for (p.skipSpace(); !p.atEnd(); p.skipSpace()) {
            int at = p.pos;
            Node row = p.node();
            Integer arity = ROW_ARITY.get(row.name);
            if (arity == null) {
                throw p.error(at, "expected a row PRIV(...), PRIV_IF(...), PRIV_EXIT_IF(...) or PRIV_ENTER(...), found " + row.name);
            }
            p.expectArity(row, arity);
            String syscall = p.identifier(row.params.get(0));
            String tracepoint = p.identifier(row.params.get(1));
            Node argList = row.params.get(arity - 2);
            List<String> args = argList.name.equals("NO_ARGS") && argList.params == null ? List.of()
                    : items(p, argList, "ARGS", NUMBER_ARITY, modes);
            Node strs = row.params.get(arity - 1);
            List<String> strings = strs.name.equals("NO_STRS") && strs.params == null ? List.of()
                    : items(p, strs, "STRS", STRING_ARITY, new TreeSet<>());
            if (calls.putIfAbsent(syscall, new Call(syscall, tracepoint, args, strings)) != null) {
                throw p.error(row.params.get(0).at, "a second row for " + syscall);
            }
            if (row.name.equals("PRIV_EXIT_IF")) {
                exitOnly.add(syscall);
            }
        }
        return new Parsed(calls, Collections.unmodifiableSet(modes), Collections.unmodifiableSet(exitOnly));
    }

    /**
     * The names (last parameters) of the items of ARGS(...) or STRS(...), those of MODE items also
     * added to {@code modes}. How many fit in the record the C compiler checks (the slots are array elements).
     */
    private static List<String> items(Parser p, Node list, String listName, Map<String, Integer> kinds, Set<String> modes) {
        if (!list.name.equals(listName) || list.params == null) {
            throw p.error(list.at, "expected " + listName + "(...) or NO_" + listName + ", found " + list.name);
        }
        List<String> names = new ArrayList<>();
        for (Node item : list.params) {
            Integer arity = kinds.get(item.name);
            if (arity == null) {
                throw p.error(item.at, "unknown item " + item.name + " in " + listName + ": one of " + new TreeSet<>(kinds.keySet()));
            }
            p.expectArity(item, arity);
            String name = p.identifier(item.params.getLast());
            if (names.contains(name)) {
                throw p.error(item.params.getLast().at, "a second " + name + " in " + listName);
            }
            names.add(name);
            if (item.name.equals("MODE")) {
                modes.add(name);
            }
        }
        return names;
    }

    /** NAME or NAME(params...) or a number; at is where it starts. */
    private record Node(String name, List<Node> params, int at) {}

    private static final class Parser {
        private final String file;
        private final String text;
        private int pos;

        Parser(String file, String text) {
            this.file = file;
            this.text = withoutComments(text);
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        Node node() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            if (pos == start) {
                throw error(start, atEnd() ? "unexpected end of file" : "unexpected '" + text.charAt(start) + "'");
            }
            String name = text.substring(start, pos);
            skipSpace();
            if (atEnd() || text.charAt(pos) != '(') {
                return new Node(name, null, start);
            }
            pos++;
            List<Node> params = new ArrayList<>();
            while (true) {
                params.add(node());
                skipSpace();
                char c = atEnd() ? 0 : text.charAt(pos);
                if (c == ')') {
                    pos++;
                    return new Node(name, params, start);
                }
                if (c != ',') {
                    throw error(pos, atEnd() ? "unexpected end of file in " + name + "(...)" : "expected ',' or ')'");
                }
                pos++;
            }
        }

        void expectArity(Node n, int arity) {
            int got = n.params == null ? 0 : n.params.size();
            if (got != arity) {
                throw error(n.at, n.name + " takes " + arity + " parameters, found " + got);
            }
        }

        String identifier(Node n) {
            if (n.params != null || !Character.isLetter(n.name.charAt(0)) && n.name.charAt(0) != '_') {
                throw error(n.at, "expected a name, found " + n.name + (n.params != null ? "(...)" : ""));
            }
            return n.name;
        }

        IllegalArgumentException error(int at, String what) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < at; i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new IllegalArgumentException(file + ":" + line + ":" + col + ": " + what);
        }

        /** Comments blanked out, line breaks kept (positions stay those of the file). */
        private static String withoutComments(String s) {
            StringBuilder out = new StringBuilder(s);
            int i = 0;
            while (i < s.length() - 1) {
                String end = s.startsWith("/*", i) ? "*/" : s.startsWith("//", i) ? "\n" : null;
                if (end == null) {
                    i++;
                    continue;
                }
                int stop = s.indexOf(end, i + 2);
                stop = stop < 0 ? s.length() : end.equals("*/") ? stop + 2 : stop;
                for (int j = i; j < stop; j++) {
                    if (out.charAt(j) != '\n') {
                        out.setCharAt(j, ' ');
                    }
                }
                i = stop;
            }
            return out.toString();
        }
    }
}
