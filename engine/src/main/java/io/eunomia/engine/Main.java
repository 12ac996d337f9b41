package io.eunomia.engine;

import io.eunomia.bpf.SensorUnavailableException;
import io.eunomia.engine.cli.CapsCommand;
import io.eunomia.engine.cli.ContainersCommand;
import io.eunomia.engine.cli.LearnCommand;
import io.eunomia.engine.cli.MonitorCommand;
import io.eunomia.engine.cli.ProfileCommand;
import io.eunomia.engine.cli.RulesCommand;
import io.eunomia.engine.cli.SeccompCommand;
import io.eunomia.engine.cli.TraceCommand;
import io.eunomia.engine.cli.UserError;
import io.eunomia.engine.internal.Logging;
import io.eunomia.libbpf.BpfException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code eunomia} command line. */
@Command(name = "eunomia", mixinStandardHelpOptions = true, version = "eunomia 0.1.0",
        description = "Container security policy engine and seccomp/capability hardener.",
        subcommands = {MonitorCommand.class, TraceCommand.class, ContainersCommand.class, RulesCommand.class,
                LearnCommand.class, ProfileCommand.class, SeccompCommand.class, CapsCommand.class})
public final class Main implements Runnable {
    /** Exit codes: 0 ok, 2 bad usage, 3 the host cannot run sensors, 4 the kernel rejected a program. */
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_ENVIRONMENT = 3;
    public static final int EXIT_BPF = 4;

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        Logging.configure();
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(ex, cmd));
        return cli.execute(args);
    }

    /** Expected conditions get one clear line on stderr, no stack trace. */
    private static int handle(Exception ex, CommandLine cmd) {
        return switch (ex) {
            case SensorUnavailableException e -> {
                cmd.getErr().println("eunomia: " + e.getMessage());
                yield EXIT_ENVIRONMENT;
            }
            case BpfException e -> {
                cmd.getErr().println("eunomia: the kernel refused a sensor: " + e.getMessage());
                yield EXIT_BPF;
            }
            case UserError e -> {
                // Located problems (file:line:column: ...) stand on their own; a sentence gets the prefix.
                cmd.getErr().println(e.located() ? e.getMessage() : "eunomia: " + e.getMessage());
                yield e.exitCode();
            }
            case io.eunomia.profiler.ProfileFormatException e -> {
                cmd.getErr().println("eunomia: " + e.getMessage());
                yield EXIT_USAGE;
            }
            case java.nio.file.NoSuchFileException e -> {
                cmd.getErr().println("eunomia: no such file: " + e.getFile());
                yield EXIT_USAGE;
            }
            case CommandLine.ParameterException e -> {
                cmd.getErr().println("eunomia: " + e.getMessage());
                yield EXIT_USAGE;
            }
            default -> {
                cmd.getErr().println("eunomia: internal error (please report): " + ex);
                ex.printStackTrace(cmd.getErr());
                yield 1;
            }
        };
    }
}
