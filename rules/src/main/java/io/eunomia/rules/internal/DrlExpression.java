package io.eunomia.rules.internal;

import io.eunomia.rules.EventFields;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Runs the DRL expressions of the field catalog in Java, so that the value an output shows is
 * computed from the very text the generated rules constrain. Only the forms the catalog uses:
 * <pre>
 * expr   := atom ("." NAME ["(" args ")"])*
 * atom   := "this" | STRING | INTEGER | NAME ["(" args ")"] | "EventFields" "." NAME "(" args ")"
 * args   := [expr ("," expr)*]
 * </pre>
 * A bare name is an accessor of the record ({@code process} is {@code process()}); calls are
 * resolved once, against the static types, when the reader is made (a wrong name fails then).
 */
public final class DrlExpression {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.publicLookup();

    /** A compiled expression: its static type and how to evaluate it on the root record. */
    private record Node(Class<?> type, Function<Object, Object> eval) {}

    private final String text;
    private final Class<?> root;
    private int i;

    private DrlExpression(String text, Class<?> root) {
        this.text = text;
        this.root = root;
    }

    /**
     * The expression as a function of a record of class {@code root}.
     *
     * @throws IllegalArgumentException when the text is not of the grammar or names no method of the types it reads
     */
    public static Function<Object, Object> reader(String text, Class<?> root) {
        DrlExpression p = new DrlExpression(text, root);
        Node n = p.expr();
        p.skipBlanks();
        if (p.i != text.length()) {
            throw p.fail("unexpected '" + text.substring(p.i) + "'");
        }
        return n.eval();
    }

    private Node expr() {
        Node n = atom();
        while (peek('.')) {
            i++;
            n = member(n, name());
        }
        return n;
    }

    private Node atom() {
        skipBlanks();
        if (i < text.length() && text.charAt(i) == '"') {
            String s = string();
            return new Node(String.class, r -> s);
        }
        if (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '-')) {
            int start = i++;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            long v = Long.parseLong(text.substring(start, i));
            return new Node(long.class, r -> v);
        }
        String name = name();
        if (name.equals("this")) {
            return new Node(root, r -> r);
        }
        if (name.equals(EventFields.class.getSimpleName())) {
            expect('.');
            String method = name();
            return call(EventFields.class, null, method, args());
        }
        return member(new Node(root, r -> r), name);
    }

    /** {@code target.name} (an accessor) or {@code target.name(args)}. */
    private Node member(Node target, String name) {
        List<Node> args = peek('(') ? args() : List.of();
        return call(target.type(), target, name, args);
    }

    private Node call(Class<?> owner, Node target, String name, List<Node> args) {
        boolean isStatic = target == null;
        Method m = Arrays.stream(owner.getMethods())
                .filter(x -> x.getName().equals(name) && x.getParameterCount() == args.size()
                        && Modifier.isStatic(x.getModifiers()) == isStatic && accepts(x.getParameterTypes(), args))
                .findFirst()
                .orElseThrow(() -> fail("no " + (isStatic ? "static " : "") + "method " + name + " of " + args.size()
                        + " argument(s) in " + owner.getSimpleName()));
        MethodHandle h;
        try {
            h = LOOKUP.unreflect(m);
        } catch (IllegalAccessException e) {
            throw fail(owner.getSimpleName() + "." + name + " is not accessible: " + e.getMessage());
        }
        Class<?>[] params = m.getParameterTypes();
        int n = args.size() + (isStatic ? 0 : 1);
        MethodHandle spread = h.asType(h.type().generic()).asSpreader(Object[].class, n);
        List<Function<Object, Object>> evals = new ArrayList<>();
        if (!isStatic) {
            evals.add(target.eval());
        }
        for (int k = 0; k < args.size(); k++) {
            Function<Object, Object> e = args.get(k).eval();
            // Numbers as Java converts them for a call: an int widened to a long parameter; an
            // integer literal (a long here) narrowed to an int one.
            Class<?> p = box(params[k]);
            evals.add(p == Long.class ? r -> ((Number) e.apply(r)).longValue()
                    : p == Integer.class ? r -> ((Number) e.apply(r)).intValue() : e);
        }
        Function<Object, Object>[] all = evals.toArray(Function[]::new);
        return new Node(m.getReturnType(), r -> {
            Object[] values = new Object[all.length];
            for (int k = 0; k < all.length; k++) {
                values[k] = all[k].apply(r);
            }
            try {
                return spread.invoke(values);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
    }

    private static boolean accepts(Class<?>[] params, List<Node> args) {
        for (int k = 0; k < params.length; k++) {
            Class<?> a = args.get(k).type();
            Class<?> p = params[k];
            boolean widened = box(p) == Long.class && box(a) == Integer.class;
            boolean literal = a == long.class && box(p) == Integer.class;
            if (!widened && !literal && !box(p).isAssignableFrom(box(a))) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> box(Class<?> c) {
        return c == long.class ? Long.class : c == int.class ? Integer.class : c == boolean.class ? Boolean.class : c;
    }

    private List<Node> args() {
        expect('(');
        List<Node> out = new ArrayList<>();
        if (peek(')')) {
            i++;
            return out;
        }
        while (true) {
            out.add(expr());
            skipBlanks();
            if (peek(')')) {
                i++;
                return out;
            }
            expect(',');
        }
    }

    private String name() {
        skipBlanks();
        int start = i;
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
        }
        if (start == i) {
            throw fail("expected a name");
        }
        return text.substring(start, i);
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        i++;
        while (i < text.length() && text.charAt(i) != '"') {
            char c = text.charAt(i++);
            b.append(c == '\\' && i < text.length() ? text.charAt(i++) : c);
        }
        expect('"');
        return b.toString();
    }

    private boolean peek(char c) {
        skipBlanks();
        return i < text.length() && text.charAt(i) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw fail("expected '" + c + "'");
        }
        i++;
    }

    private void skipBlanks() {
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
    }

    private IllegalArgumentException fail(String what) {
        return new IllegalArgumentException("DRL expression '" + text + "' over " + root.getSimpleName() + ", at " + i + ": " + what);
    }
}
