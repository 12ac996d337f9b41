package io.eunomia.engine.cli;

import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Reads rule files given on the command line: files in order, directories as their *.yaml/*.yml/*.drl sorted by name. */
final class RuleFiles {
    private RuleFiles() {}

    static List<RuleSource> read(List<Path> paths, List<RuleError> errors) {
        return io.eunomia.engine.pipeline.RuleLoader.read(paths, errors);
    }

    static void print(List<RuleError> errors, PrintWriter err) {
        for (RuleError e : errors) {
            err.println(e);
        }
        err.flush();
    }
}
