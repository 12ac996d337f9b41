package io.eunomia.rules;

/**
 * One problem in a rule file, located for the person who has to fix it.
 *
 * @param file    the file as given (or a resource name for the default pack)
 * @param line    1-based line, 0 when unknown (or the problem is the file as a whole)
 * @param column  1-based column, 0 when unknown
 * @param message what was found and what was expected
 */
public record RuleError(String file, int line, int column, String message) {
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "") + ": " + message;
    }
}
