package io.eunomia.engine.cli;

import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Reads rule files given on the command line: files in order, directories as their *.yaml/*.yml/*.drl sorted by name. */
final class RuleFiles {
    private RuleFiles() {}

    /** A directory without rule files is an error here: checking or compiling it would say nothing. */
    static List<RuleSource> read(List<Path> paths, List<RuleError> errors) {
        List<Path> empty = new java.util.ArrayList<>();
        List<RuleSource> sources = io.eunomia.engine.pipeline.RuleLoader.read(paths, errors, empty);
        empty.forEach(dir -> errors.add(new RuleError(dir.toString(), 0, 0, "no rule files (.yaml, .yml, .drl) in this directory")));
        return sources;
    }

    static void print(List<RuleError> errors, PrintWriter err) {
        for (RuleError e : errors) {
            err.println(e);
        }
        err.flush();
    }
}
