package io.eunomia.rules.internal;

/** A token of a condition; offsets are into the condition text. */
public record Token(Kind kind, String text, int offset) {
    public enum Kind { LPAREN, RPAREN, COMMA, OP, WORD, STRING, EOF }

    /** How the token reads in an error message. */
    public String describe() {
        return switch (kind) {
            case EOF -> "the end of the condition";
            case STRING -> "\"" + text + "\"";
            default -> "'" + text + "'";
        };
    }

    public boolean isWord(String w) {
        return kind == Kind.WORD && text.equals(w);
    }
}
