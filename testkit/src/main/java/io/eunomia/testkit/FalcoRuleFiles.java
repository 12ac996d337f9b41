package io.eunomia.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where Falco's own rule files (falcosecurity/rules, unmodified, not copied into the project) are:
 * the directory named by the system property {@value #PROPERTY} or else the environment variable
 * {@value #ENV}; without either, the first {@code shared/falco} holding {@code falco_rules.yaml}
 * in the working directory (a module's, under Maven) or one above it, so a checkout beside
 * {@code shared/} and a git worktree further down both find it. Absent: an error naming every
 * place tried, never a skipped test.
 */
public final class FalcoRuleFiles {
    public static final String PROPERTY = "eunomia.falco.rules";
    public static final String ENV = "EUNOMIA_FALCO_RULES";
    private static final String MARKER = "falco_rules.yaml";

    private FalcoRuleFiles() {}

    /** The directory holding falco_rules.yaml and the incubating and sandbox files. */
    public static Path dir() {
        return dir(System.getProperty(PROPERTY), System.getenv(ENV), Path.of("").toAbsolutePath());
    }

    /** One of Falco's rule files (falco_rules.yaml, falco-incubating_rules.yaml, ...), which must exist. */
    public static Path file(String name) {
        Path f = dir().resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("no Falco rule file " + f + " (found the directory by " + MARKER + ")");
        }
        return f;
    }

    static Path dir(String property, String env, Path start) {
        List<Path> tried = new ArrayList<>();
        String given = property != null && !property.isBlank() ? property : env;
        if (given != null && !given.isBlank()) {
            Path d = Path.of(given).toAbsolutePath().normalize();
            if (Files.isRegularFile(d.resolve(MARKER))) {
                return d;
            }
            throw new IllegalStateException("Falco's rule files are not in " + d + " (no " + MARKER + "), named by "
                    + (given.equals(property) ? "-D" + PROPERTY : ENV));
        }
        for (Path p = start; p != null; p = p.getParent()) {
            Path d = p.resolve("shared").resolve("falco");
            if (Files.isRegularFile(d.resolve(MARKER))) {
                return d;
            }
            tried.add(d);
        }
        throw new IllegalStateException("Falco's rule files (" + MARKER + ") not found in any of " + tried
                + "; put falcosecurity/rules' files in one, or name their directory with -D" + PROPERTY + " or " + ENV);
    }
}
