package io.eunomia.rules.internal;

import io.eunomia.event.EventType;
import io.eunomia.rules.FieldCatalog;
import io.eunomia.rules.FieldType;
import io.eunomia.rules.Match;
import io.eunomia.rules.internal.RuleModel.RuleDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a checked YAML rule into DRL: one DRL rule per event record type the condition can match.
 * Each is named after the YAML rule, with " [type]" appended when there are several; the
 * {@code @rule} annotation carries the YAML name so alerts map back to it.
 */
public final class DrlGenerator {
    /** Values up to this many use DRL's own {@code in}; longer lists go to a cached set in {@link Match}. */
    private static final int INLINE_IN = 8;
    private static final Pattern SIMPLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    public static final String HEADER = """
            package io.eunomia.rules.yaml;

            import io.eunomia.event.*;
            import io.eunomia.rules.Match;
            import io.eunomia.rules.EventFields;
            """;

    private final FieldCatalog catalog;

    public DrlGenerator(FieldCatalog catalog) {
        this.catalog = catalog;
    }

    /** Per event type, the constraints of the rule's pattern (types it cannot match are absent). */
    public Map<EventType, Residual> specialise(Cond c) {
        Map<EventType, Residual> out = new LinkedHashMap<>();
        for (EventType t : EventType.values()) {
            Residual r = residual(c, t);
            if (!(r instanceof Residual.False)) {
                out.put(t, r);
            }
        }
        return out;
    }

    /**
     * The DRL text of one YAML rule, given its specialisations.
     *
     * @param fileReads the {@code @fileReads} value of its file-event rule (io.eunomia.rules.FileReadNeeds),
     *                  empty when its reads are unbounded
     * @param missingReads the {@code @missingReads} value of its file-event rule (the same syntax), empty when unbounded
     * @param timesSet  the {@code @timesSet} value of its file-event rule (the same syntax), empty when unbounded
     * @param netEvents the {@code @netEvents} value of its socket-event rule (io.eunomia.event.NetInterest)
     */
    public String rule(RuleDef r, Map<EventType, Residual> patterns, Optional<String> fileReads, Optional<String> missingReads,
                       Optional<String> timesSet, Optional<String> netEvents) {
        StringBuilder b = new StringBuilder();
        for (var e : patterns.entrySet()) {
            String name = patterns.size() == 1 ? r.name() : r.name() + " [" + e.getKey().cliName() + "]";
            b.append("\nrule ").append(lit(name)).append('\n');
            b.append("  @rule(").append(lit(r.name())).append(") @priority(").append(lit(r.priority().name()))
                    .append(") @tags(").append(lit(String.join(",", r.tags()))).append(")\n");
            b.append("  @output(").append(lit(r.output().text().strip())).append(")\n");
            b.append("  @desc(").append(lit(r.desc().strip())).append(")\n");
            if (r.groupBy() != null) {
                b.append("  @").append(io.eunomia.rules.RuleInfo.GROUP_BY).append("(")
                        .append(lit(String.join(",", r.groupBy().stream().map(YamlNode.Scalar::text).toList()))).append(")\n");
            }
            if (e.getKey() == EventType.FILE && fileReads.isPresent()) {
                b.append("  @fileReads(").append(lit(fileReads.get())).append(")\n");
            }
            if (e.getKey() == EventType.FILE && missingReads.isPresent()) {
                b.append("  @").append(io.eunomia.rules.FileReadNeeds.MISSING_ANNOTATION).append("(")
                        .append(lit(missingReads.get())).append(")\n");
            }
            if (e.getKey() == EventType.FILE && timesSet.isPresent()) {
                b.append("  @").append(io.eunomia.rules.FileReadNeeds.TIMES_ANNOTATION).append("(")
                        .append(lit(timesSet.get())).append(")\n");
            }
            if (e.getKey() == EventType.NET && netEvents.isPresent()) {
                b.append("  @").append(io.eunomia.event.NetInterest.ANNOTATION).append("(").append(lit(netEvents.get())).append(")\n");
            }
            b.append("when\n  $e : ").append(recordClass(e.getKey())).append("(");
            List<String> cs = Residual.constraints(e.getValue());
            if (!cs.isEmpty()) {
                b.append(' ').append(String.join(", ", cs)).append(' ');
            }
            b.append(")\nthen\n  alerts.raise(drools, $e);\nend\n");
        }
        return b.toString();
    }

    public static String recordClass(EventType t) {
        return switch (t) {
            case EXEC -> "ExecEvent";
            case EXIT -> "ExitEvent";
            case FORK -> "ForkEvent";
            case FILE -> "FileEvent";
            case NET -> "NetEvent";
            case CAP -> "CapEvent";
            case SYSCALL -> "SyscallEvent";
            case VIOLATION -> "ViolationEvent";
        };
    }

    private Residual residual(Cond c, EventType t) {
        return switch (c) {
            case Cond.All a -> Residual.and(a.terms().stream().map(x -> residual(x, t)).toList());
            case Cond.Any a -> Residual.or(a.terms().stream().map(x -> residual(x, t)).toList());
            case Cond.Neg n -> Residual.not(residual(n.term(), t));
            case Cond.Has h -> catalog.access(h.field().name(), t).map(a -> {
                Residual v = h.field().type() == FieldType.STRING && h.field().values().isEmpty()
                        ? new Residual.Atom(a.drl() + " != \"\"") : Residual.TRUE;
                return guarded(a, v);
            }).orElse(Residual.FALSE);
            case Cond.Test x -> test(x, t);
        };
    }

    private Residual test(Cond.Test x, EventType t) {
        if (x.field().name().equals("evt.type")) {
            List<Residual> any = new ArrayList<>();
            for (String v : x.values()) {
                for (FieldCatalog.EventKind k : catalog.eventKinds(v)) {
                    if (k.type() == t) {
                        any.add(k.drl().isEmpty() ? Residual.TRUE : new Residual.Atom(k.drl()));
                    }
                }
            }
            Residual is = Residual.or(any);
            return x.op().equals("!=") ? Residual.not(is) : is;
        }
        return catalog.access(x.field().name(), t).map(a -> guarded(a, atom(x, a.drl()))).orElse(Residual.FALSE);
    }

    private static Residual guarded(FieldCatalog.Access a, Residual r) {
        return a.guard() == null ? r : Residual.and(List.of(new Residual.Atom(a.guard()), r));
    }

    private Residual atom(Cond.Test x, String drl) {
        FieldCatalog.Field f = x.field();
        List<String> vs = x.values();
        String op = x.op();
        if (!f.values().isEmpty()) {
            List<String> consts = vs.stream().map(v -> catalog.enumConstant(f.name(), v).orElseThrow()).toList();
            return switch (op) {
                case "=" -> new Residual.Atom(drl + " == " + consts.getFirst());
                case "!=" -> new Residual.Atom(drl + " != " + consts.getFirst());
                default -> consts.isEmpty() ? Residual.FALSE : new Residual.Atom(drl + " in (" + String.join(", ", consts) + ")");
            };
        }
        return switch (f.type()) {
            case BOOL -> {
                boolean want = vs.getFirst().equals("true") == op.equals("=");
                Residual pos = new Residual.Atom(SIMPLE.matcher(drl).matches() ? drl + " == true" : drl);
                yield want ? pos : Residual.not(pos);
            }
            case INT -> switch (op) {
                case "in" -> in(drl, vs, false);
                case "=" -> new Residual.Atom(drl + " == " + vs.getFirst());
                default -> new Residual.Atom(drl + " " + op + " " + vs.getFirst());
            };
            case ANY_STRING -> {
                boolean neg = op.equals("!=");
                String how = neg ? "=" : op.equals("intersects") ? "in" : op;
                String operand = how.equals("in") || how.equals("pmatch") ? String.join(String.valueOf(Match.SEP), vs) : vs.getFirst();
                Residual r = vs.isEmpty() ? Residual.FALSE
                        : new Residual.Atom("EventFields.any(" + drl + ", " + lit(how) + ", " + lit(operand) + ")");
                yield neg ? Residual.not(r) : r;
            }
            case IPNET -> {
                Residual r = vs.isEmpty() ? Residual.FALSE
                        : new Residual.Atom("EventFields.inNet(" + drl + ", " + lit(String.join(String.valueOf(Match.SEP), vs)) + ")");
                yield op.equals("!=") ? Residual.not(r) : r;
            }
            case HOST_NAME -> {
                Residual r = vs.isEmpty() ? Residual.FALSE
                        : new Residual.Atom("EventFields.named(" + drl + ", " + lit(String.join(String.valueOf(Match.SEP), vs)) + ")");
                yield op.equals("!=") ? Residual.not(r) : r;
            }
            case STRINGS -> op.equals("intersects") ? (vs.isEmpty() ? Residual.FALSE
                    : new Residual.Atom("Match.intersects(" + drl + ", " + lit(String.join(String.valueOf(Match.SEP), vs)) + ")"))
                    : op.equals("contains") ? new Residual.Atom(drl + " contains " + lit(vs.getFirst()))
                    : new Residual.Atom("Match.icontains(" + drl + ", " + lit(vs.getFirst()) + ")");
            case STRING -> switch (op) {
                case "=" -> new Residual.Atom(drl + " == " + lit(vs.getFirst()));
                case "!=" -> new Residual.Atom(drl + " != " + lit(vs.getFirst()));
                case "in" -> in(drl, vs, true);
                case "contains" -> new Residual.Atom(drl + ".contains(" + lit(vs.getFirst()) + ")");
                case "icontains" -> new Residual.Atom("Match.icontains(" + drl + ", " + lit(vs.getFirst()) + ")");
                case "startswith" -> new Residual.Atom(drl + ".startsWith(" + lit(vs.getFirst()) + ")");
                case "endswith" -> new Residual.Atom(drl + ".endsWith(" + lit(vs.getFirst()) + ")");
                case "glob" -> new Residual.Atom("Match.glob(" + drl + ", " + lit(vs.getFirst()) + ")");
                case "pmatch" -> vs.isEmpty() ? Residual.FALSE
                        : new Residual.Atom("Match.pmatch(" + drl + ", " + lit(String.join(String.valueOf(Match.SEP), vs)) + ")");
                default -> throw new IllegalStateException("operator " + op + " passed the checker for a string");
            };
        };
    }

    private static Residual in(String drl, List<String> vs, boolean strings) {
        List<String> distinct = vs.stream().distinct().toList();
        if (distinct.isEmpty()) {
            return Residual.FALSE;
        }
        if (distinct.size() == 1) {
            return new Residual.Atom(drl + " == " + (strings ? lit(distinct.getFirst()) : distinct.getFirst()));
        }
        if (distinct.size() <= INLINE_IN) {
            return new Residual.Atom(drl + " in (" + String.join(", ", strings ? distinct.stream().map(DrlGenerator::lit).toList() : distinct) + ")");
        }
        return new Residual.Atom("Match.in(" + drl + ", " + lit(String.join(String.valueOf(Match.SEP), distinct)) + ")");
    }

    /** A DRL/MVEL string literal. */
    public static String lit(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
