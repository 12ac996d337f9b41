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

    /** Warnings: the rules compile, but say what deserves a look. */
    static void printWarnings(List<RuleError> warnings, PrintWriter err) {
        for (RuleError w : warnings) {
            String at = w.toString();
            err.println(at.substring(0, at.length() - w.message().length()) + "warning: " + w.message());
        }
        err.flush();
    }
}
