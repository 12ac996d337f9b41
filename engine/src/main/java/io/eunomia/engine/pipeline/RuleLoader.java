package io.eunomia.engine.pipeline;

import io.eunomia.engine.internal.IoProblem;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Where the running rules come from: the default pack (unless left out) then the user's files and
 * directories, in the order given (a directory: its .drl/.yaml/.yml files, subdirectories
 * included, by path). Reading and compiling are one call, so a reload sees exactly what a start
 * would, and {@code rules check} exactly what {@code monitor} runs.
 */
public final class RuleLoader {
    private static final System.Logger LOG = System.getLogger(RuleLoader.class.getName());
    private static final String NO_RULE_FILES = "no rule files (.yaml, .yml, .drl) in this directory";

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
     * Every source in load order: the default pack's (if loaded), then the user's files. A path
     * that cannot be read is a rule error like any other (file: what is wrong), so it reaches the
     * user the same way; so is a directory without rule files when {@code emptyDirectoryIsError}
     * (checking it would say nothing), else that is a warning in the log (a drop-in place may be
     * empty for now).
     */
    public List<RuleSource> sources(boolean emptyDirectoryIsError) throws IOException, RuleCompileException {
        List<RuleSource> sources = new ArrayList<>();
        if (defaults) {
            sources.addAll(DefaultPack.sources());
        }
        List<RuleError> unreadable = new ArrayList<>();
        List<Path> empty = new ArrayList<>();
        sources.addAll(read(paths, unreadable, empty));
        for (Path dir : empty) {
            if (emptyDirectoryIsError) {
                unreadable.add(new RuleError(dir.toString(), 0, 0, NO_RULE_FILES));
            } else {
                LOG.log(Level.WARNING, dir + ": " + NO_RULE_FILES);
            }
        }
        if (!unreadable.isEmpty()) {
            throw new RuleCompileException(unreadable);
        }
        if (sources.isEmpty()) {
            throw new RuleCompileException(List.of(new RuleError(paths.isEmpty() ? "(no rules)" : paths.getFirst().toString(),
                    0, 0, "no rule files found: expected .drl, .yaml or .yml files")));
        }
        return sources;
    }

    /** Reads every source, then compiles them into one rule base; its warnings are logged. */
    public RuleBase load() throws IOException, RuleCompileException {
        RuleBase base = compiler.compile(sources(false));
        for (RuleError w : base.warnings()) {
            LOG.log(Level.WARNING, w.toString());
        }
        return base;
    }

    /** The rule files of these paths, in order; a path that cannot be read adds an error, a directory without rule files goes to empty. */
    private static List<RuleSource> read(List<Path> paths, List<RuleError> errors, List<Path> empty) {
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
                errors.add(new RuleError(p.toString(), 0, 0, readProblem(p, e)));
            }
        }
        return out;
    }

    private static String readProblem(Path given, IOException e) {
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        if (file != null && !file.equals(given.toString())) {  // something below a directory: a broken link, a loop
            return "cannot read " + file + ": " + IoProblem.describe(e);
        }
        return e instanceof NoSuchFileException ? "no such rule file or directory" : "cannot read: " + IoProblem.describe(e);
    }

    /**
     * A file as is; a directory's rule files, in its subdirectories too, sorted by their path
     * below it. Hidden files and directories (".git", Kubernetes' "..data") are left out; links
     * are followed (a ConfigMap's files are links).
     */
    public static List<Path> ruleFiles(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString());
            }
            return List.of(p);
        }
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(p, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(p) || !dir.getFileName().toString().startsWith(".") ? FileVisitResult.CONTINUE
                        : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && isRuleFile(f)) {
                    found.add(f);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (f.getFileName().toString().startsWith(".")) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;  // a loop of links, an unreadable directory: say so rather than skip rules
            }
        });
        found.sort((a, b) -> p.relativize(a).compareTo(p.relativize(b)));
        return found;
    }

    public static boolean isRuleFile(Path f) {
        String n = f.getFileName().toString();
        return !n.startsWith(".") && (n.endsWith(".drl") || n.endsWith(".yaml") || n.endsWith(".yml"));
    }
}
