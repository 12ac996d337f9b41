package io.eunomia.engine.pipeline;

import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the running rules come from: the default pack (unless left out) then the user's files and
 * directories, in the order given (a directory: its .drl/.yaml/.yml files by name). Reading and
 * compiling are one call, so a reload sees exactly what a start would.
 */
public final class RuleLoader {
    private static final System.Logger LOG = System.getLogger(RuleLoader.class.getName());

    /** Compiles rule sources of any language into a rule base. */
    @FunctionalInterface
    public interface Compiler {
        RuleBase compile(List<RuleSource> sources) throws RuleCompileException;
    }

    /** The compiler used for every rule file: YAML and DRL, in load order. */
    public static final Compiler COMPILER = io.eunomia.rules.RuleCompiler::compile;

    private final List<Path> paths;
    private final boolean defaults;
    private final Compiler compiler;

    public RuleLoader(List<Path> paths, boolean defaults, Compiler compiler) {
        this.paths = List.copyOf(paths);
        this.defaults = defaults;
        this.compiler = compiler;
    }

    public RuleLoader(List<Path> paths, boolean defaults) {
        this(paths, defaults, COMPILER);
    }

    /** The user's rule paths, as given (files and directories), for watching. */
    public List<Path> paths() {
        return paths;
    }

    /**
     * Reads every source, then compiles them into one rule base. A path that cannot be read is a
     * rule error like any other (file: what is wrong), so it reaches the user the same way.
     */
    public RuleBase load() throws IOException, RuleCompileException {
        List<RuleSource> sources = new ArrayList<>();
        if (defaults) {
            sources.addAll(DefaultPack.sources());
        }
        List<RuleError> unreadable = new ArrayList<>();
        List<Path> empty = new ArrayList<>();
        sources.addAll(read(paths, unreadable, empty));
        if (!unreadable.isEmpty()) {
            throw new RuleCompileException(unreadable);
        }
        // A directory may be a drop-in place that is empty for now: worth a word, not a refusal.
        for (Path dir : empty) {
            LOG.log(System.Logger.Level.WARNING, dir + ": no rule files (.yaml, .yml, .drl) in this directory");
        }
        if (sources.isEmpty()) {
            throw new RuleCompileException(List.of(new RuleError(paths.isEmpty() ? "(no rules)" : paths.getFirst().toString(),
                    0, 0, "no rule files found: expected .drl, .yaml or .yml files")));
        }
        return compiler.compile(sources);
    }

    /**
     * The rule files of these paths, in order; each path that cannot be read adds an error instead,
     * each directory without rule files is added to empty.
     */
    public static List<RuleSource> read(List<Path> paths, List<RuleError> errors, List<Path> empty) {
        List<RuleSource> out = new ArrayList<>();
        for (Path p : paths) {
            try {
                List<Path> files = ruleFiles(p);
                if (files.isEmpty()) {
                    empty.add(p);
                }
                for (Path f : files) {
                    out.add(RuleSource.read(f));
                }
            } catch (IOException e) {
                errors.add(new RuleError(p.toString(), 0, 0, readProblem(e)));
            }
        }
        return out;
    }

    private static String readProblem(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such rule file or directory"
                : "cannot read: " + io.eunomia.engine.internal.IoProblem.describe(e);
    }

    /** A file as is; a directory's rule files sorted by name (not recursive). */
    public static List<Path> ruleFiles(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            if (!Files.isRegularFile(p)) {
                throw new java.nio.file.NoSuchFileException(p.toString());
            }
            return List.of(p);
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.filter(RuleLoader::isRuleFile).sorted().toList();
        }
    }

    public static boolean isRuleFile(Path f) {
        String n = f.getFileName().toString();
        return !n.startsWith(".") && (n.endsWith(".drl") || n.endsWith(".yaml") || n.endsWith(".yml"));
    }

}
