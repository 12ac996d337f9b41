package io.eunomia.engine.cli;

import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads rule files given on the command line: files in order, directories as their *.yaml/*.yml/*.drl sorted by name. */
final class RuleFiles {
    private RuleFiles() {}

    static List<RuleSource> read(List<Path> paths, List<RuleError> errors) {
        List<RuleSource> out = new ArrayList<>();
        for (Path p : paths) {
            try {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        for (Path f : s.filter(RuleFiles::isRuleFile).sorted().toList()) {
                            out.add(RuleSource.read(f));
                        }
                    }
                } else {
                    out.add(RuleSource.read(p));
                }
            } catch (IOException e) {
                errors.add(new RuleError(p.toString(), 0, 0, "cannot read: " + e.getMessage()));
            }
        }
        return out;
    }

    private static boolean isRuleFile(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".drl");
    }

    static void print(List<RuleError> errors, PrintWriter err) {
        for (RuleError e : errors) {
            err.println(e);
        }
        err.flush();
    }
}
