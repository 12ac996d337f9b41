package io.eunomia.rules.internal;

import java.util.ArrayList;
import java.util.List;

/** A condition specialised to one event record type: DRL constraints, with constants folded away. */
public sealed interface Residual {
    record True() implements Residual {}

    record False() implements Residual {}

    record Atom(String drl) implements Residual {}

    record And(List<Residual> terms) implements Residual {}

    record Or(List<Residual> terms) implements Residual {}

    record Not(Residual term) implements Residual {}

    Residual TRUE = new True();
    Residual FALSE = new False();

    static Residual and(List<Residual> terms) {
        List<Residual> out = new ArrayList<>();
        for (Residual t : terms) {
            switch (t) {
                case False f -> { return FALSE; }
                case True x -> { }
                case And a -> out.addAll(a.terms());
                default -> out.add(t);
            }
        }
        return out.isEmpty() ? TRUE : out.size() == 1 ? out.getFirst() : new And(List.copyOf(out));
    }

    static Residual or(List<Residual> terms) {
        List<Residual> out = new ArrayList<>();
        for (Residual t : terms) {
            switch (t) {
                case True x -> { return TRUE; }
                case False f -> { }
                case Or o -> out.addAll(o.terms());
                default -> out.add(t);
            }
        }
        return out.isEmpty() ? FALSE : out.size() == 1 ? out.getFirst() : new Or(List.copyOf(out));
    }

    static Residual not(Residual r) {
        return switch (r) {
            case True x -> FALSE;
            case False x -> TRUE;
            case Not n -> n.term();
            default -> new Not(r);
        };
    }

    /** The constraints of a pattern: a top-level conjunction becomes separate constraints, which Drools indexes. */
    static List<String> constraints(Residual r) {
        return switch (r) {
            case True x -> List.of();
            case And a -> a.terms().stream().map(Residual::expr).toList();
            default -> List.of(expr(r));
        };
    }

    static String expr(Residual r) {
        return switch (r) {
            case True x -> "true";
            case False x -> "false";
            case Atom a -> a.drl();
            case And a -> "(" + String.join(" && ", a.terms().stream().map(Residual::expr).toList()) + ")";
            case Or o -> "(" + String.join(" || ", o.terms().stream().map(Residual::expr).toList()) + ")";
            case Not n -> "!(" + expr(n.term()) + ")";
        };
    }
}
