package io.eunomia.rules.internal;

import java.util.List;

/** Parsed conditions. Offsets point into the condition text, for errors. */
public sealed interface Ast {
    int offset();

    record And(List<Ast> terms, int offset) implements Ast {}

    record Or(List<Ast> terms, int offset) implements Ast {}

    record Not(Ast term, int offset) implements Ast {}

    /** A bare name: a macro. */
    record MacroRef(String name, int offset) implements Ast {}

    /** {@code field exists}. */
    record Exists(String field, int offset) implements Ast {}

    /**
     * {@code field op value} or {@code field op (v1, v2, ...)}.
     *
     * @param op        =, !=, <, <=, >, >=, in, contains, icontains, startswith, endswith, glob, pmatch
     * @param values    the operand(s); a bare word in a list may name a list
     * @param opOffset  where the operator is
     */
    record Compare(String field, String op, List<Value> values, boolean parenthesized, int offset, int opOffset) implements Ast {}

    /**
     * An operand.
     *
     * @param quoted whether written in quotes (then never a list name)
     */
    record Value(String text, boolean quoted, int offset) {}
}
