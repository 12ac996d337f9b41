package io.eunomia.engine.cli;

import io.eunomia.rules.RuleError;
import java.io.PrintWriter;
import java.util.List;

/** Prints rule file problems for {@code rules check|compile}: one per line, file:line:column first. */
final class RuleFiles {
    private RuleFiles() {}

    static void print(List<RuleError> errors, PrintWriter err) {
        for (RuleError e : errors) {
            err.println(e);
        }
        err.flush();
    }

    /** A rule file or directory that could not be read (missing, a loop of links, no permission). */
    static void printUnreadable(java.io.IOException e, PrintWriter err) {
        err.println("eunomia: cannot read the rules: " + e.getMessage());
        err.flush();
    }

    /** Warnings: the rules compile, but say what deserves a look. */
    static void printWarnings(List<RuleError> warnings, PrintWriter err) {
        for (RuleError w : warnings) {
            err.println(w.file() + ":" + w.line() + (w.column() > 0 ? ":" + w.column() : "") + ": warning: " + w.message());
        }
        err.flush();
    }
}
