package io.eunomia.enforcer.seccomp;

/**
 * One problem in a profile file, located for the person who fixes it.
 *
 * @param file    the file as given
 * @param line    1-based line, 0 when unknown
 * @param column  1-based column, 0 when unknown
 * @param message what was found and what to do
 */
public record ProfileProblem(String file, int line, int column, String message) {
    @Override
    public String toString() {
        return file + ":" + line + (column > 0 ? ":" + column : "") + ": " + message;
    }
}
