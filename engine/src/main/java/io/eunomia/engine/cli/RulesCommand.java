package io.eunomia.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code eunomia rules}: the group of commands about rule files (test; check and compile join it). */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with rule files.",
        subcommands = {RulesTestCommand.class})
public final class RulesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        CommandLine.usage(spec.commandLine(), System.err);
    }
}
