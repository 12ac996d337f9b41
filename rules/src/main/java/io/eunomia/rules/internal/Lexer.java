package io.eunomia.rules.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a condition into tokens. Values may be bare words as in Falco ({@code /etc/shadow},
 * {@code -c}, {@code 443}); a word ends at blanks, parentheses, commas, quotes and comparison
 * operators. Quoted strings take ' or " and backslash escapes of the quote and the backslash.
 */
public final class Lexer {
    private final String s;
    private int i;

    private Lexer(String s) {
        this.s = s;
    }

    public static List<Token> tokens(String condition) throws ConditionException {
        return new Lexer(condition).all();
    }

    private List<Token> all() throws ConditionException {
        List<Token> out = new ArrayList<>();
        while (true) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length()) {
                out.add(new Token(Token.Kind.EOF, "", s.length()));
                return out;
            }
            int start = i;
            char c = s.charAt(i);
            switch (c) {
                case '(' -> { i++; out.add(new Token(Token.Kind.LPAREN, "(", start)); }
                case ')' -> { i++; out.add(new Token(Token.Kind.RPAREN, ")", start)); }
                case ',' -> { i++; out.add(new Token(Token.Kind.COMMA, ",", start)); }
                case '\'', '"' -> out.add(string(c));
                case '=', '<', '>' -> {
                    i++;
                    if (i < s.length() && s.charAt(i) == '=') {
                        i++;
                    }
                    String op = s.substring(start, i);
                    out.add(new Token(Token.Kind.OP, op.equals("==") ? "=" : op, start));
                }
                case '!' -> {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '=') {
                        i += 2;
                        out.add(new Token(Token.Kind.OP, "!=", start));
                    } else {
                        out.add(word());
                    }
                }
                default -> out.add(word());
            }
        }
    }

    private Token string(char quote) throws ConditionException {
        int start = i++;
        StringBuilder b = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == quote) {
                return new Token(Token.Kind.STRING, b.toString(), start);
            }
            if (c == '\\' && i < s.length() && (s.charAt(i) == quote || s.charAt(i) == '\\')) {
                c = s.charAt(i++);
            }
            b.append(c);
        }
        throw new ConditionException(start, "unterminated string: found no closing " + quote + " before the end of the condition");
    }

    private Token word() {
        int start = i;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '(' || c == ')' || c == ',' || c == '\'' || c == '"'
                    || c == '=' || c == '<' || c == '>' || (c == '!' && i + 1 < s.length() && s.charAt(i + 1) == '=')) {
                break;
            }
            i++;
        }
        return new Token(Token.Kind.WORD, s.substring(start, i), start);
    }
}
