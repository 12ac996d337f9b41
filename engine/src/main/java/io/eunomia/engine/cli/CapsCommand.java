package io.eunomia.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code eunomia caps ...}: capability sets from learned profiles. */
@Command(name = "caps", mixinStandardHelpOptions = true, description = "Capability sets from learned profiles.",
        subcommands = {CapsGenerateCommand.class})
public final class CapsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
