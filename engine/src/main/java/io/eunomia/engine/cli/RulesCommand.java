package io.eunomia.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code eunomia rules ...}: work with rule files without running the engine. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Check, compile and test rule files (YAML or DRL).",
        subcommands = {RulesCompileCommand.class, RulesCheckCommand.class, RulesTestCommand.class, RulesFieldsCommand.class})
public final class RulesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
