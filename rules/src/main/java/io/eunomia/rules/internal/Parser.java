package io.eunomia.rules.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser of Falco-style conditions:
 * <pre>
 * or      := and ("or" and)*
 * and     := unary ("and" unary)*
 * unary   := "not" unary | primary
 * primary := "(" or ")" | FIELD "exists" | FIELD binop value | FIELD listop "(" value ("," value)* ")" | MACRO
 * </pre>
 * Precedence as in Falco: not binds tightest, then and, then or.
 */
public final class Parser {
    public static final Set<String> BINARY = Set.of("=", "!=", "<", "<=", ">", ">=", "contains", "icontains",
            "startswith", "endswith", "glob", "bcontains", "bstartswith");
    public static final Set<String> LIST_OPS = Set.of("in", "pmatch", "intersects");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "pmatch", "intersects", "exists", "contains",
            "icontains", "startswith", "endswith", "glob", "bcontains", "bstartswith");

    private final List<Token> tokens;
    private int p;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    public static Ast parse(String condition) throws ConditionException {
        Parser parser = new Parser(Lexer.tokens(condition));
        if (parser.peek().kind() == Token.Kind.EOF) {
            throw new ConditionException(0, "empty condition: expected a filter expression such as proc.name = bash");
        }
        Ast a = parser.or();
        Token t = parser.peek();
        if (t.kind() != Token.Kind.EOF) {
            String hint = t.kind() == Token.Kind.RPAREN ? "a ')' without its '('" : t.describe();
            throw new ConditionException(t.offset(), "found " + hint + ", expected 'and', 'or' or the end of the condition");
        }
        return a;
    }

    private Token peek() {
        return tokens.get(p);
    }

    private Token next() {
        return tokens.get(p++);
    }

    private Ast or() throws ConditionException {
        int at = peek().offset();
        List<Ast> terms = new ArrayList<>(List.of(and()));
        while (peek().isWord("or")) {
            next();
            terms.add(and());
        }
        return terms.size() == 1 ? terms.getFirst() : new Ast.Or(List.copyOf(terms), at);
    }

    private Ast and() throws ConditionException {
        int at = peek().offset();
        List<Ast> terms = new ArrayList<>(List.of(unary()));
        while (peek().isWord("and")) {
            next();
            terms.add(unary());
        }
        return terms.size() == 1 ? terms.getFirst() : new Ast.And(List.copyOf(terms), at);
    }

    private Ast unary() throws ConditionException {
        if (peek().isWord("not")) {
            Token n = next();
            return new Ast.Not(unary(), n.offset());
        }
        return primary();
    }

    private Ast primary() throws ConditionException {
        Token t = next();
        if (t.kind() == Token.Kind.LPAREN) {
            Ast inner = or();
            Token close = next();
            if (close.kind() != Token.Kind.RPAREN) {
                throw new ConditionException(close.offset(), "found " + close.describe() + ", expected ')' to close the '(' at offset "
                        + t.offset());
            }
            return inner;
        }
        if (t.kind() != Token.Kind.WORD || KEYWORDS.contains(t.text())) {
            throw new ConditionException(t.offset(), "found " + t.describe() + ", expected a field comparison, a macro name, 'not' or '('");
        }
        Token op = peek();
        boolean isOp = op.kind() == Token.Kind.OP || (op.kind() == Token.Kind.WORD
                && (BINARY.contains(op.text()) || LIST_OPS.contains(op.text()) || op.text().equals("exists")));
        if (!isOp) {
            if (t.text().contains(".")) {
                throw new ConditionException(op.offset(), "found " + op.describe() + " after field " + t.text()
                        + ", expected an operator (=, !=, <, <=, >, >=, in, intersects, contains, icontains, startswith, endswith, glob, pmatch, exists)");
            }
            return new Ast.MacroRef(t.text(), t.offset());
        }
        next();
        if (op.text().equals("exists")) {
            return new Ast.Exists(t.text(), t.offset());
        }
        if (LIST_OPS.contains(op.text())) {
            return new Ast.Compare(t.text(), op.text(), list(op), true, t.offset(), op.offset());
        }
        Token v = next();
        if (v.kind() != Token.Kind.WORD && v.kind() != Token.Kind.STRING) {
            throw new ConditionException(v.offset(), "found " + v.describe() + " after '" + op.text() + "', expected a value");
        }
        return new Ast.Compare(t.text(), op.text(), List.of(value(v)), false, t.offset(), op.offset());
    }

    /** A value; a bare keyword is never one (Falco agrees): {@code proc.name = and} is a slip, not a name. */
    private static Ast.Value value(Token v) throws ConditionException {
        if (v.kind() == Token.Kind.WORD && KEYWORDS.contains(v.text())) {
            throw new ConditionException(v.offset(), "found the keyword '" + v.text() + "' where a value belongs: "
                    + "quote it (\"" + v.text() + "\") if you mean that text, else a value is missing before it");
        }
        return new Ast.Value(v.text(), v.kind() == Token.Kind.STRING, v.offset());
    }

    private List<Ast.Value> list(Token op) throws ConditionException {
        Token open = next();
        if (open.kind() != Token.Kind.LPAREN) {
            throw new ConditionException(open.offset(), "found " + open.describe() + " after '" + op.text()
                    + "', expected '(' and a list of values, e.g. " + op.text() + " (a, b)");
        }
        List<Ast.Value> values = new ArrayList<>();
        if (peek().kind() == Token.Kind.RPAREN) {
            next();
            return List.of();
        }
        while (true) {
            Token v = next();
            if (v.kind() != Token.Kind.WORD && v.kind() != Token.Kind.STRING) {
                throw new ConditionException(v.offset(), "found " + v.describe() + " in a value list, expected a value or a list name");
            }
            values.add(value(v));
            Token sep = next();
            if (sep.kind() == Token.Kind.RPAREN) {
                return List.copyOf(values);
            }
            if (sep.kind() != Token.Kind.COMMA) {
                throw new ConditionException(sep.offset(), "found " + sep.describe() + " in a value list, expected ',' or ')'");
            }
        }
    }
}
