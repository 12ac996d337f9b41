package io.eunomia.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code eunomia seccomp ...}: generate, read, compare and verify seccomp profiles. */
@Command(name = "seccomp", mixinStandardHelpOptions = true,
        description = "Generate seccomp profiles from learned profiles, check and compare profiles, verify one in a real runtime.",
        subcommands = {SeccompGenerateCommand.class, SeccompCheckCommand.class, SeccompDiffCommand.class,
                SeccompVerifyCommand.class, SeccompBaselineCommand.class, SeccompKubeletCommand.class})
public final class SeccompCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
