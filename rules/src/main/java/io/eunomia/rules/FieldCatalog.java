package io.eunomia.rules;

import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.event.SyscallArguments;
import io.eunomia.rules.internal.DrlExpression;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields rule conditions and output templates may use, Falco's names where the meaning is the
 * same, each mapped to the event records that carry it.
 *
 * <p>A field applies to some event types only (e.g. {@code fd.name}: file and network events). In a
 * condition, a comparison on a field the event does not have is false, as in Falco; the compiler
 * uses that to decide which event records a rule is about. Per event type, a field is one DRL
 * expression over the record (e.g. {@code process.comm}, {@code EventFields.cmdline(argv)}): what
 * generated rules constrain, what hand-written DRL rules use for the same value, and, run in Java
 * ({@link io.eunomia.rules.internal.DrlExpression}), what {@link #value} renders in outputs.
 *
 * <p>Fields Falco has but our events cannot serve honestly are not faked: {@link #unavailable}
 * says why (e.g. {@code proc.pcmdline}: events carry the parent's name, not its command line).
 */
public final class FieldCatalog {
    /**
     * One field.
     *
     * @param name        as written in conditions, e.g. "proc.name"
     * @param type        its type
     * @param description what it is, and where it differs from Falco
     * @param eventTypes  the event types that carry it
     * @param values      the allowed values of an enumerated field (lower case), else empty
     */
    public record Field(String name, FieldType type, String description, Set<EventType> eventTypes, List<String> values) {
        public Field {
            eventTypes = Set.copyOf(eventTypes);
            values = List.copyOf(values);
        }
    }

    /**
     * How one event type carries a field.
     *
     * @param drl    DRL expression over the record, inside its pattern (e.g. "process.comm"); for a
     *               bool field, a boolean expression
     * @param guard  DRL condition that must hold for the value to exist (e.g. a syscall argument the
     *               call has), or null when it always exists
     * @param reader the same two run in Java, for output rendering: null when the guard fails
     */
    public record Access(String drl, String guard, Function<Object, Object> reader) {
        static Access of(EventType t, String drl, String guard) {
            Function<Object, Object> value = DrlExpression.reader(drl, t.recordClass());
            if (guard == null) {
                return new Access(drl, null, value);
            }
            Function<Object, Object> exists = DrlExpression.reader(guard, t.recordClass());
            return new Access(drl, guard, e -> Boolean.TRUE.equals(exists.apply(e)) ? value.apply(e) : null);
        }
    }

    /** How {@code evt.type = NAME} selects records: the event type and a DRL constraint ("" for all of that type). */
    public record EventKind(EventType type, String drl) {}

    /** A field with how each event type carries it; {@code enumType}: the enum of an enumerated field, else null. */
    record Def(Field field, Map<EventType, Access> access, Class<? extends Enum<?>> enumType) {}

    /** The fields and names this catalog answers for (built once). */
    private final StandardFields table = new StandardFields();
    private final Map<String, Def> defs = table.defs;
    private final Map<String, String> unavailable = table.unavailable;
    private final Map<String, List<EventKind>> kinds = table.kinds;
    private final Set<String> syscallNames = table.syscallNames;
    private final Set<String> modes = table.modes;

    public static FieldCatalog standard() {
        return Holder.STANDARD;
    }

    /** Built on first use. */
    private static final class Holder {
        static final FieldCatalog STANDARD = new FieldCatalog();
    }

    private FieldCatalog() {}

    // ---- public API --------------------------------------------------------------------------

    /** The field of this name. */
    public Optional<Field> field(String name) {
        return def(name).map(Def::field);
    }

    /** Every field, in catalog order (hidden forms such as evt.arg.flags#text left out). */
    public Collection<Field> fields() {
        return defs.values().stream().map(Def::field).filter(f -> !f.name().contains("#")).toList();
    }

    /**
     * Falco's textual form of a numeric field, for the string operators Falco allows on it
     * ({@code evt.arg.flags contains O_TRUNC}): the STRING field that renders it, when there is one.
     */
    public Optional<Field> textForm(String field) {
        return field(field + "#text");
    }

    /** Why a Falco field is not offered, when it is one we know of. */
    public Optional<String> unavailable(String name) {
        return Optional.ofNullable(unavailable.get(name.replaceFirst("\\[[^\\]]*]$", "")));
    }

    /** How an event type carries a field, when it does. */
    public Optional<Access> access(String field, EventType type) {
        return def(field).map(d -> d.access().get(type));
    }

    /** For an enumerated field (e.g. proc.stdin), the DRL constant of a value ("StreamKind.SOCKET"). */
    public Optional<String> enumConstant(String field, String value) {
        return def(field).filter(d -> d.enumType() != null && d.field().values().contains(value.toLowerCase(Locale.ROOT)))
                .map(d -> d.enumType().getSimpleName() + "." + value.toUpperCase(Locale.ROOT));
    }

    /**
     * What {@code evt.type = name} selects: e.g. "open" → file events with {@code op == FileOp.OPEN};
     * "openat" → file events with {@code syscall == "openat"}; "setuid" → syscall events. Empty
     * for a name that is no event type and no system call.
     */
    public List<EventKind> eventKinds(String name) {
        List<EventKind> k = kinds.get(name);
        if (k != null) {
            return k;
        }
        if (syscallNames.contains(name)) {
            return List.of(new EventKind(EventType.SYSCALL, "syscall == \"" + name + "\""));
        }
        return List.of();
    }

    /**
     * Whether some sensor makes records that {@code evt.type = name} selects: every event type
     * name and file or socket call does; any other system call only when the privilege sensor
     * reports it (priv_calls.h). A name that passes the check but fails this never matches.
     */
    public boolean reported(String name) {
        return kinds.containsKey(name) || SyscallArguments.load().containsKey(name);
    }

    /** The system calls the privilege sensor reports (beyond the file and socket calls). */
    public Set<String> reportedSyscalls() {
        return new TreeSet<>(SyscallArguments.load().keySet());
    }

    /** Names evt.type takes besides system call names. */
    public Set<String> eventTypeNames() {
        return kinds.keySet();
    }

    /**
     * The value of a field for an event, for output templates: empty when the event type does not
     * carry the field (or, for syscall arguments, the call has no such argument). Enumerated
     * values are their lower-case names, as conditions write them.
     */
    public Optional<Object> value(String field, Event e) {
        Optional<Def> d = def(field);
        if (d.isEmpty()) {
            return Optional.empty();
        }
        Access a = d.get().access().get(e.type());
        return a == null ? Optional.empty() : Optional.ofNullable(a.reader().apply(e)).map(v -> v instanceof Enum<?> x ? lower(x) : v);
    }

    /**
     * The value of a field as a person reads it (alert outputs, grouping labels, trace's text):
     * {@link #value}, but a file mode in octal with its leading 0 ("04755"), as chmod and ls users
     * read it, where its number would be decimal (2541). A mode of -1 (none) stays a number.
     */
    public Optional<Object> shown(String field, Event e) {
        Optional<Object> v = value(field, e);
        return isMode(field) ? v.map(FieldCatalog::octalMode) : v;
    }

    /** Whether a field holds a file mode (evt.arg.mode, syscall.arg.mode). */
    public boolean isMode(String field) {
        return modes.contains(field);
    }

    /** A mode in octal with a leading 0 (04755, 0644; 0 is "0"); anything else (a negative "none") as it is. */
    public static Object octalMode(Object mode) {
        return mode instanceof Number n && n.longValue() >= 0 ? (n.longValue() == 0 ? "0" : "0" + Long.toOctalString(n.longValue())) : mode;
    }

    // ---- lookup ------------------------------------------------------------------------------

    private Optional<Def> def(String name) {
        Def d = defs.get(name);
        if (d != null) {
            return Optional.of(d);
        }
        Matcher m = INDEXED.matcher(name);
        return m.matches() ? Optional.of(indexed.computeIfAbsent(name, n -> table.indexedDef(m.group(1), Integer.parseInt(m.group(2)))))
                : Optional.empty();
    }

    /** proc.aname[N] and proc.apid[N]: N = 0 is the process itself, 1 its parent, ... */
    private static final Pattern INDEXED = Pattern.compile("(proc\\.aname|proc\\.apid|proc\\.aexe|proc\\.aexepath)\\[(\\d{1,2})]");
    private final Map<String, Def> indexed = new ConcurrentHashMap<>();

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
