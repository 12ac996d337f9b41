package io.eunomia.engine.cli;

import io.eunomia.event.EventType;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleCompiler;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code eunomia rules check FILE...}: compiles rule files as the engine would, prints every error. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate rule files (loaded in the order given, as overrides apply); one error per line as "
                + "file:line:column: message. Exit code 1 when any file has errors.")
public final class RulesCheckCommand implements Callable<Integer> {
    /** Exit code when rules do not compile. */
    public static final int EXIT_INVALID = 1;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "YAML or DRL rule files, or directories of them.")
    List<Path> files;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<RuleError> errors = new ArrayList<>();
        List<RuleSource> sources = RuleFiles.read(files, errors);
        if (errors.isEmpty()) {
            try {
                RuleBase base = RuleCompiler.compile(sources);
                spec.commandLine().getOut().println(base.rules().size() + " rules OK");
                if (base.eventTypes().contains(EventType.FILE)) {
                    // What the file sensor will report of successful read-only opens (its read filter).
                    spec.commandLine().getOut().println("file reads the rules need: " + base.fileReads().describe());
                }
                spec.commandLine().getOut().flush();
                return 0;
            } catch (RuleCompileException e) {
                errors.addAll(e.errors());
            }
        }
        RuleFiles.print(errors, spec.commandLine().getErr());
        return EXIT_INVALID;
    }
}
