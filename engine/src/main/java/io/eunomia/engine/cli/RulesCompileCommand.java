package io.eunomia.engine.cli;

import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleCompiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code eunomia rules compile FILE...}: the DRL that YAML rule files compile to. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Print the DRL that rule files compile to (YAML compiled, DRL as written). Files load in the order given, "
                + "after the default pack (its macros and lists apply; a rule you override shows with your file).")
public final class RulesCompileCommand implements Callable<Integer> {
    @CommandLine.Mixin
    RuleFileOptions rules;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Map<String, String> drl;
        try {
            drl = new LinkedHashMap<>(RuleCompiler.toDrl(rules.sources(), rules.skipUnsupported));
        } catch (RuleCompileException e) {
            RuleFiles.print(e.errors(), spec.commandLine().getErr());
            return RulesCheckCommand.EXIT_INVALID;
        }
        drl.keySet().removeIf(DefaultPack::isPackSource);
        PrintWriter out = spec.commandLine().getOut();
        for (var e : drl.entrySet()) {
            if (drl.size() > 1) {
                out.println("// ---- " + e.getKey());
            }
            out.print(e.getValue());
        }
        out.flush();
        return 0;
    }
}
