package io.eunomia.engine.cli;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.pipeline.Expectations;
import io.eunomia.engine.pipeline.Replay;
import io.eunomia.engine.pipeline.RuleLoader;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompileException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eunomia rules test}: replay recorded events through rules and compare the alerts, for CI. */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Replay recorded events (JSON lines, as 'eunomia trace --format json' writes) through the rules "
                + "in event time and compare the alerts with an expectation file.",
                "Exit codes: 0 as expected, 1 alerts differ, 2 bad input (events, expectation or rules)."})
public final class RulesTestCommand implements Callable<Integer> {
    public static final int EXIT_MISMATCH = 1;
    public static final int EXIT_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--events", required = true, paramLabel = "EVENTS.jsonl", description = "Recorded events, one JSON object per line.")
    Path events;

    @Option(names = "--expect", required = true, paramLabel = "EXPECTED.yaml",
            description = "Expected alerts: 'alerts:' [{rule, count, container, output_contains}] or 'none: true'.")
    Path expect;

    @Option(names = "--rules", paramLabel = "FILE|DIR", description = "Rule files or directories (repeatable), after the default pack.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--no-default-rules", description = "Do not load the shipped rule pack.")
    boolean noDefaultRules;

    @Option(names = "--aggregate", paramLabel = "SECONDS", defaultValue = "10", converter = Converters.SecondsOrZero.class,
            description = "Alert aggregation window, as in monitor (counts include aggregated repeats). Default: ${DEFAULT-VALUE}.")
    double aggregateSeconds;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Expectations expected;
        Replay.EventsFile recorded;
        try {
            expected = Expectations.read(expect);
            recorded = Replay.read(events);
        } catch (IllegalArgumentException e) {
            err.println("eunomia: " + e.getMessage());
            return EXIT_INPUT;
        } catch (IOException e) {
            String which = e instanceof java.nio.file.FileSystemException f && f.getFile() != null ? f.getFile() + ": " : "";
            err.println("eunomia: cannot read " + which + io.eunomia.engine.internal.IoProblem.describe(e));
            return EXIT_INPUT;
        }
        if (!recorded.errors().isEmpty()) {
            recorded.errors().forEach(e -> err.println("eunomia: " + e));
            err.println("eunomia: " + recorded.errors().size() + " malformed event line(s); nothing replayed");
            return EXIT_INPUT;
        }
        RuleBase base;
        try {
            base = new RuleLoader(rules, !noDefaultRules).load();
        } catch (RuleCompileException e) {
            err.println("eunomia: the rules cannot be loaded:");
            e.errors().forEach(x -> err.println("  " + x));
            return EXIT_INPUT;
        }
        List<Alert> alerts = Replay.run(base, recorded.events(), Duration.ofMillis((long) (aggregateSeconds * 1000)), 2048);
        Expectations.Verdict v = expected.check(alerts);
        v.matched().forEach(out::println);
        v.differences().forEach(out::println);
        long fired = alerts.stream().mapToLong(Alert::count).sum();
        out.printf("%s: %d events, %d rules, %d alerts (%d firings); %d difference(s)%n", v.passed() ? "PASS" : "FAIL",
                recorded.events().size(), base.rules().size(), alerts.size(), fired, v.differences().size());
        out.flush();
        return v.passed() ? 0 : EXIT_MISMATCH;
    }
}
