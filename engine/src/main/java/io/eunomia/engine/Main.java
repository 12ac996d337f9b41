package io.eunomia.engine;

import io.eunomia.bpf.SensorUnavailableException;
import io.eunomia.engine.cli.CapsCommand;
import io.eunomia.engine.cli.CommandFailure;
import io.eunomia.engine.cli.ContainersCommand;
import io.eunomia.engine.cli.CtlCommand;
import io.eunomia.engine.cli.EnforceCommand;
import io.eunomia.engine.cli.LearnCommand;
import io.eunomia.engine.cli.MonitorCommand;
import io.eunomia.engine.cli.ProfileCommand;
import io.eunomia.engine.cli.RulesCommand;
import io.eunomia.engine.cli.SeccompCommand;
import io.eunomia.engine.cli.TraceCommand;
import io.eunomia.engine.config.ConfigException;
import io.eunomia.libbpf.BpfException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code eunomia} command line. */
@Command(name = "eunomia", mixinStandardHelpOptions = true, version = "eunomia 0.1.0",
        description = "Container security policy engine and seccomp/capability hardener.",
        subcommands = {MonitorCommand.class, EnforceCommand.class, TraceCommand.class, ContainersCommand.class, RulesCommand.class,
                LearnCommand.class, ProfileCommand.class, SeccompCommand.class, CapsCommand.class, CtlCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:ok",
            "1:rules check/compile: the rules have errors; rules test: the alerts differ",
            "2:bad usage: an unknown option, a bad value, a bad configuration or input file",
            "3:this host cannot run the sensors (not root, no BTF, no libbpf)",
            "4:the kernel rejected a sensor program",
            "5:monitor: the rules cannot be loaded (missing or do not compile)",
            "6:an output or the metrics address cannot be used (port in use, file not writable)",
            "70:internal error (a bug: please report it with the stack trace)"})
public final class Main implements java.util.concurrent.Callable<Integer> {
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_ENVIRONMENT = 3;
    public static final int EXIT_BPF = 4;
    public static final int EXIT_RULES = 5;
    public static final int EXIT_UNAVAILABLE = 6;
    public static final int EXIT_INTERNAL = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No command: the overview, and a usage error status (a script that forgot the command fails). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        Logging.configure();
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command with its help, messages and errors on these writers (what it streams still goes to stdout). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, a) -> badUsage(ex));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> failed(ex, cmd));
        return cli.execute(args);
    }

    /**
     * A mistake on the command line: the message and where to look, not the whole usage (which
     * would bury the one line that matters).
     */
    private static int badUsage(CommandLine.ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        String message = ex.getMessage();
        String hint = "try '" + name + " --help'";
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().getFirst();
            List<String> candidates;
            if (first.startsWith("-")) {
                message = "unknown option '" + first.split("=", 2)[0] + "'";
                candidates = cmd.getCommandSpec().options().stream().flatMap(o -> java.util.Arrays.stream(o.names())).toList();
            } else if (!cmd.getSubcommands().isEmpty()) {
                message = "unknown command '" + first + "'; commands: " + String.join(", ", cmd.getSubcommands().keySet());
                candidates = List.copyOf(cmd.getSubcommands().keySet());
            } else {
                message = "unexpected argument '" + first + "'";
                candidates = List.of();
            }
            List<String> close = Suggestions.closest(first.split("=", 2)[0], candidates);
            if (!close.isEmpty()) {
                hint = "did you mean " + String.join(" or ", close) + "? " + hint;
            }
        }
        err.println("eunomia: " + message);
        err.println("eunomia: " + hint);
        err.flush();
        return EXIT_USAGE;
    }

    /** Expected conditions get one clear line on stderr, no stack trace; only bugs get one. */
    private static int failed(Exception ex, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        int code = switch (ex) {
            case CommandFailure e -> e.exitCode();
            case io.eunomia.engine.cli.UserError e -> e.exitCode();
            case ConfigException e -> EXIT_USAGE;
            case UnavailableException e -> EXIT_UNAVAILABLE;
            case SensorUnavailableException e -> EXIT_ENVIRONMENT;
            case BpfException e -> EXIT_BPF;
            case io.eunomia.profiler.ProfileFormatException e -> EXIT_USAGE;   // its message is file:line:column: what
            case java.nio.file.NoSuchFileException e -> EXIT_USAGE;
            default -> EXIT_INTERNAL;
        };
        if (code == EXIT_INTERNAL) {
            err.println("eunomia: internal error (please report it with what follows): " + ex);
            ex.printStackTrace(err);
        } else if (ex instanceof io.eunomia.engine.cli.UserError u && u.located()) {
            err.println(u.getMessage());   // file:line:column lines of their own
        } else {
            err.println("eunomia: " + (ex instanceof BpfException ? "the kernel refused a sensor: " : "")
                    + (ex instanceof java.nio.file.NoSuchFileException f ? "no such file: " + f.getFile() : ex.getMessage()));
            if (ex instanceof CommandFailure && code == EXIT_USAGE) {
                err.println("eunomia: try '" + cmd.getCommandSpec().qualifiedName() + " --help'");
            }
        }
        err.flush();
        return code;
    }
}
