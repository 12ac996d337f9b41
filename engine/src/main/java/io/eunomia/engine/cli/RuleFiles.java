package io.eunomia.engine.cli;

import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads rule files given on the command line: files in order, directories as their *.yaml/*.yml/*.drl sorted by name. */
final class RuleFiles {
    private RuleFiles() {}

    static List<RuleSource> read(List<Path> paths, List<RuleError> errors) {
        List<RuleSource> out = new ArrayList<>();
        for (Path p : paths) {
            try {
                for (Path f : io.eunomia.engine.pipeline.RuleLoader.ruleFiles(p)) {
                    out.add(RuleSource.read(f));
                }
            } catch (IOException e) {
                errors.add(new RuleError(p.toString(), 0, 0, "cannot read: " + e.getMessage()));
            }
        }
        return out;
    }

    static void print(List<RuleError> errors, PrintWriter err) {
        for (RuleError e : errors) {
            err.println(e);
        }
        err.flush();
    }
}
