package io.eunomia.rules.internal;

import io.eunomia.event.EventType;
import io.eunomia.rules.FieldCatalog;
import io.eunomia.rules.FieldType;
import io.eunomia.rules.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which successful read-only opens a checked condition can match, as a bound on their paths
 * ({@link ReadBound}); or, made with {@link #missing}, which read-only opens failing with ENOENT
 * (a file that is not there: the loader's and git's probes); or, made with {@link #timesSet}, which
 * calls setting explicit times (file op UTIMES: tar x, cp -p, rsync -t on every file). The event is
 * taken as a file event of op OPEN, no write flag and that result, or of op UTIMES with any result
 * (file.bpf.c's read, miss and times filters apply to exactly those); fields then either have a known
 * value (evt.failed = false, evt.res = SUCCESS, evt.is_open_write = false, ...), bound the path
 * (fd.name, fd.directory), or say nothing (proc.name, ...).
 * <p>
 * Each condition gets two bounds: where it may be true and where it may be false, so that
 * {@code not} swaps them instead of giving up: {@code not evt.is_open_read = true} matches no
 * read at all, {@code not fd.name startswith /etc/} may match any.
 */
public final class FileReadAnalysis {
    /** file.bpf.c's OPEN_WRITE_FLAGS: O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | __O_TMPFILE. */
    static final long OPEN_WRITE_FLAGS = 03 | 0100 | 01000 | 02000 | 020000000;
    /** Calls that can open a file read-only (creat always writes). */
    private static final Set<String> READ_OPEN_CALLS = Set.of("open", "openat", "openat2", "open_by_handle_at");
    /**
     * Fields whose value is the same for every successful read-only open the read filter judges: an
     * open of another process's /proc/PID/mem (fd.other_proc_mem) goes to user space whatever the filter.
     */
    private static final Map<String, String> KNOWN_READ = Map.of("evt.failed", "false", "evt.is_open_read", "true",
            "evt.is_open_write", "false", "evt.res", "SUCCESS", "file.newpath", "", "fd.other_proc_mem", "false",
            "file.newpath_host", "");
    /** Fields whose value is the same for every read-only open that failed with ENOENT (no file: no other process's memory). */
    private static final Map<String, String> KNOWN_MISSING = Map.of("evt.failed", "true", "evt.is_open_read", "true",
            "evt.is_open_write", "false", "evt.res", "ENOENT", "file.newpath", "", "fd.other_proc_mem", "false",
            "file.newpath_host", "");
    /** -ENOENT, evt.rawres of a missing file's open. */
    private static final long MISSING_RESULT = -2;
    /**
     * Fields whose value is the same for every explicit-times call the times filter judges (op UTIMES: not
     * an open, no new name). The kernel judges only a file named by its descriptor (futimens) and reports
     * every call with a path text: the calls it may keep back have no text, so none was given elsewhere
     * (fd.name_given) or rewritten during the call (fd.text_changed).
     */
    private static final Map<String, String> KNOWN_TIMES = Map.of("evt.is_open_read", "false", "evt.is_open_write", "false",
            "file.newpath", "", "fd.other_proc_mem", "false", "fd.text_changed", "false", "fd.name_given", "",
            "file.newpath_host", "");
    /** Calls that can set explicit times besides utimes (the op's name, evt.type = utimes, covers them all). */
    private static final Set<String> TIMES_CALLS = Set.of("utimensat", "futimesat", "utime");

    /** The file events an analysis bounds. */
    private enum Events { READS, MISSES, TIMES }

    /** Where a condition may be true, and where it may be false. */
    private record Val(ReadBound yes, ReadBound no) {
        static final Val ALWAYS = new Val(ReadBound.ANY, ReadBound.NONE);
        static final Val NEVER = new Val(ReadBound.NONE, ReadBound.ANY);
        static final Val UNKNOWN = new Val(ReadBound.ANY, ReadBound.ANY);

        static Val of(boolean holds) {
            return holds ? ALWAYS : NEVER;
        }

        static Val within(ReadBound yes) {
            return new Val(yes, ReadBound.ANY);
        }

        Val not() {
            return new Val(no, yes);
        }
    }

    private final FieldCatalog catalog;
    private final Events events;
    private final Map<String, String> known;

    /** For successful read-only opens (the read filter, {@code @fileReads}). */
    public FileReadAnalysis(FieldCatalog catalog) {
        this(catalog, Events.READS);
    }

    private FileReadAnalysis(FieldCatalog catalog, Events events) {
        this.catalog = catalog;
        this.events = events;
        this.known = switch (events) {
            case READS -> KNOWN_READ;
            case MISSES -> KNOWN_MISSING;
            case TIMES -> KNOWN_TIMES;
        };
    }

    /** For read-only opens of a file that is not there (ENOENT: the miss filter, {@code @missingReads}). */
    public static FileReadAnalysis missing(FieldCatalog catalog) {
        return new FileReadAnalysis(catalog, Events.MISSES);
    }

    /** For calls setting explicit times on a file (op UTIMES: the times filter, {@code @timesSet}). */
    public static FileReadAnalysis timesSet(FieldCatalog catalog) {
        return new FileReadAnalysis(catalog, Events.TIMES);
    }

    /**
     * The reads a condition can match, in the sensors' path-prefix syntax: empty when they cannot
     * be bounded (any read may match), an empty list when no read can.
     */
    public Optional<List<String>> reads(Cond c) {
        return eval(c).yes().entries();
    }

    private Val eval(Cond c) {
        return switch (c) {
            case Cond.All a -> {
                ReadBound yes = ReadBound.ANY;
                ReadBound no = ReadBound.NONE;
                for (Cond t : a.terms()) {
                    Val v = eval(t);
                    yes = yes.and(v.yes());
                    no = no.or(v.no());
                }
                yield new Val(yes, no);
            }
            case Cond.Any a -> {
                ReadBound yes = ReadBound.NONE;
                ReadBound no = ReadBound.ANY;
                for (Cond t : a.terms()) {
                    Val v = eval(t);
                    yes = yes.or(v.yes());
                    no = no.and(v.no());
                }
                yield new Val(yes, no);
            }
            case Cond.Neg n -> eval(n.term()).not();
            case Cond.Has h -> has(h.field());
            case Cond.Test t -> test(t);
        };
    }

    private Val has(FieldCatalog.Field f) {
        if (catalog.access(f.name(), EventType.FILE).isEmpty()) {
            return Val.NEVER;
        }
        if (f.type() != FieldType.STRING) {
            return Val.ALWAYS;
        }
        String value = known.get(f.name());
        return value == null ? Val.UNKNOWN : Val.of(!value.isEmpty());
    }

    private Val test(Cond.Test t) {
        String name = t.field().name();
        List<String> vs = t.values();
        if (name.equals("evt.type")) {
            Val any = Val.NEVER;
            for (String v : vs) {
                any = or(any, eventType(v));
            }
            return t.op().equals("!=") ? any.not() : any;
        }
        if (catalog.access(name, EventType.FILE).isEmpty()) {
            return Val.NEVER; // a field file events do not have: the comparison is false, as in the generated DRL
        }
        if (known.containsKey(name)) {
            return Val.of(holds(t.op(), known.get(name), vs));
        }
        return switch (name) {
            // the kernel's read filter judges a container's read of a host file by its host path too
            case "fd.name", "fd.host_name" -> path(t.op(), vs);
            case "fd.directory" -> directory(t.op(), vs);
            case "evt.rawres" -> events == Events.TIMES ? Val.UNKNOWN : result(t.op(), vs);
            case "evt.arg.flags" -> events == Events.TIMES ? Val.UNKNOWN : flags(t.op(), vs);  // utimensat's AT_* flags
            default -> Val.UNKNOWN;
        };
    }

    /**
     * Whether a read-only open can be of this evt.type ("open": every one; openat: some; unlink, creat:
     * none); an explicit-times call ("utimes": every one; utimensat: some; others: none).
     */
    private Val eventType(String v) {
        boolean file = catalog.eventKinds(v).stream().anyMatch(k -> k.type() == EventType.FILE);
        if (!file) {
            return Val.NEVER;
        }
        if (v.equals(events == Events.TIMES ? "utimes" : "open")) {
            return Val.ALWAYS;
        }
        return (events == Events.TIMES ? TIMES_CALLS : READ_OPEN_CALLS).contains(v) ? Val.UNKNOWN : Val.NEVER;
    }

    private static Val or(Val a, Val b) {
        return new Val(a.yes().or(b.yes()), a.no().and(b.no()));
    }

    static boolean holds(String op, String value, List<String> vs) {
        String sep = String.valueOf(Match.SEP);
        return switch (op) {
            case "=" -> value.equals(vs.getFirst());
            case "!=" -> !value.equals(vs.getFirst());
            case "in" -> vs.contains(value);
            case "contains" -> value.contains(vs.getFirst());
            case "icontains" -> Match.icontains(value, vs.getFirst());
            case "startswith" -> value.startsWith(vs.getFirst());
            case "endswith" -> value.endsWith(vs.getFirst());
            case "glob" -> Match.glob(value, vs.getFirst());
            case "pmatch" -> !vs.isEmpty() && Match.pmatch(value, String.join(sep, vs));
            default -> throw new IllegalStateException("operator " + op + " passed the checker for a string or bool");
        };
    }

    private static Val path(String op, List<String> vs) {
        return switch (op) {
            case "=" -> Val.within(ReadBound.exact(vs.getFirst()));
            case "!=" -> Val.within(ReadBound.exact(vs.getFirst())).not();
            case "in" -> Val.within(union(vs, ReadBound::exact));
            case "startswith" -> Val.within(ReadBound.prefix(vs.getFirst()));
            case "pmatch" -> Val.within(union(vs, p -> p.endsWith("/") ? ReadBound.prefix(p)
                    : ReadBound.exact(p).or(ReadBound.prefix(p + "/"))));
            case "glob" -> Val.within(glob(vs.getFirst()));
            default -> Val.UNKNOWN;
        };
    }

    /** fd.directory: the path is that directory + "/" + a name. */
    private static Val directory(String op, List<String> vs) {
        return switch (op) {
            case "=" -> Val.within(below(vs.getFirst()));
            case "!=" -> Val.within(below(vs.getFirst())).not();
            case "in" -> Val.within(union(vs, FileReadAnalysis::below));
            case "startswith" -> Val.within(ReadBound.prefix(vs.getFirst()));
            case "pmatch" -> Val.within(union(vs, p -> ReadBound.prefix(p.endsWith("/") ? p : p + "/")));
            case "glob" -> {
                ReadBound g = glob(vs.getFirst());
                yield Val.within(g.items().stream().allMatch(ReadBound.Item::exact) ? below(vs.getFirst()) : g);
            }
            default -> Val.UNKNOWN;
        };
    }

    private static ReadBound below(String dir) {
        return ReadBound.prefix(dir.endsWith("/") ? dir : dir + "/");
    }

    /** A glob matches only strings starting with its text before the first wildcard. */
    private static ReadBound glob(String g) {
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*' || c == '?' || c == '[') {
                return ReadBound.prefix(g.substring(0, i));
            }
        }
        return ReadBound.exact(g);
    }

    private static ReadBound union(List<String> vs, Function<String, ReadBound> each) {
        ReadBound b = ReadBound.NONE;
        for (String v : vs) {
            b = b.or(each.apply(v));
        }
        return b;
    }

    /** evt.rawres of a successful open is an fd: 0 or more; of a missing file's, -ENOENT. */
    private Val result(String op, List<String> vs) {
        List<Long> ns = new ArrayList<>();
        for (String v : vs) {
            ns.add(Long.parseLong(v));
        }
        long v = ns.isEmpty() ? 0 : ns.getFirst();
        if (events == Events.MISSES) {
            return switch (op) {
                case "=" -> Val.of(MISSING_RESULT == v);
                case "!=" -> Val.of(MISSING_RESULT != v);
                case "<" -> Val.of(MISSING_RESULT < v);
                case "<=" -> Val.of(MISSING_RESULT <= v);
                case ">" -> Val.of(MISSING_RESULT > v);
                case ">=" -> Val.of(MISSING_RESULT >= v);
                case "in" -> Val.of(ns.contains(MISSING_RESULT));
                default -> Val.UNKNOWN;
            };
        }
        return switch (op) {
            case "=" -> v < 0 ? Val.NEVER : Val.UNKNOWN;
            case "!=" -> v < 0 ? Val.ALWAYS : Val.UNKNOWN;
            case "<" -> v <= 0 ? Val.NEVER : Val.UNKNOWN;
            case "<=" -> v < 0 ? Val.NEVER : Val.UNKNOWN;
            case ">" -> v < 0 ? Val.ALWAYS : Val.UNKNOWN;
            case ">=" -> v <= 0 ? Val.ALWAYS : Val.UNKNOWN;
            case "in" -> ns.stream().allMatch(n -> n < 0) ? Val.NEVER : Val.UNKNOWN;
            default -> Val.UNKNOWN;
        };
    }

    /** evt.arg.flags of a read-only open has none of the write flags. */
    private static Val flags(String op, List<String> vs) {
        boolean allWrite = vs.stream().allMatch(v -> (Long.parseLong(v) & OPEN_WRITE_FLAGS) != 0);
        return switch (op) {
            case "=", "in" -> allWrite ? Val.NEVER : Val.UNKNOWN;
            case "!=" -> allWrite ? Val.ALWAYS : Val.UNKNOWN;
            default -> Val.UNKNOWN;
        };
    }
}
