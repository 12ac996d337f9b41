package io.eunomia.engine.cli;

import io.eunomia.event.EventType;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleCompiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code eunomia rules check FILE...}: compiles rule files as monitor would, prints every error and warning. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate rule files as monitor loads them: after the default pack (unless --no-default-rules), "
                + "in the order given, overrides applied; one error per line as file:line:column: message. "
                + "Warnings (file:line:column: warning: ...) do not fail the check.",
                "Exit code 1 when any file has errors."})
public final class RulesCheckCommand implements Callable<Integer> {
    /** Exit code when rules do not compile. */
    public static final int EXIT_INVALID = 1;

    @CommandLine.Mixin
    RuleFileOptions rules;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RuleBase base;
        try {
            base = RuleCompiler.check(rules.sources(), rules.skipUnsupported);
        } catch (RuleCompileException e) {
            RuleFiles.print(e.errors(), err);
            return EXIT_INVALID;
        }
        RuleFiles.printWarnings(base.warnings(), err);
        long fromPack = base.rules().stream().filter(r -> DefaultPack.isPackSource(r.source())).count();
        out.println(base.rules().size() + " rules OK" + (rules.noDefaultRules ? "" : " (" + fromPack + " from the default pack)"));
        if (base.eventTypes().contains(EventType.FILE)) {
            // What the file sensor will report of successful read-only opens (its read filter).
            out.println("file reads the rules need: " + base.fileReads().describe());
        }
        out.flush();
        return 0;
    }
}
