package io.eunomia.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code eunomia rules ...}: work with rule files without running the engine. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Check, compile and test rule files (YAML or DRL).",
        subcommands = {RulesCompileCommand.class, RulesCheckCommand.class, RulesTestCommand.class, RulesFieldsCommand.class})
public final class RulesCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No subcommand: the overview, and a usage error status. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return io.eunomia.engine.Main.EXIT_USAGE;
    }
}
