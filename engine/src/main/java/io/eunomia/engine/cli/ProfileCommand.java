package io.eunomia.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code eunomia profile ...}: read, merge and compare learned profiles. */
@Command(name = "profile", mixinStandardHelpOptions = true, description = "Show, merge and compare learned profiles.",
        subcommands = {ProfileShowCommand.class, ProfileMergeCommand.class, ProfileDiffCommand.class})
public final class ProfileCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** text or json, checked. */
    static boolean json(CommandLine cmd, String format) {
        if (!format.equals("text") && !format.equals("json")) {
            throw new CommandLine.ParameterException(cmd, "--format must be text or json, not '" + format + "'");
        }
        return format.equals("json");
    }
}
