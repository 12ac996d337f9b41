package io.eunomia.engine.cli;

import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleCompiler;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code eunomia rules compile FILE...}: the DRL that YAML rule files compile to. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Print the DRL that rule files compile to (YAML compiled, DRL as written). Files load in the order given.")
public final class RulesCompileCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "YAML or DRL rule files, or directories of them.")
    List<Path> files;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<RuleError> errors = new ArrayList<>();
        List<RuleSource> sources = RuleFiles.read(files, errors);
        if (errors.isEmpty()) {
            try {
                Map<String, String> drl = RuleCompiler.toDrl(sources);
                PrintWriter out = spec.commandLine().getOut();
                for (var e : drl.entrySet()) {
                    if (drl.size() > 1) {
                        out.println("// ---- " + e.getKey());
                    }
                    out.print(e.getValue());
                }
                out.flush();
                return 0;
            } catch (RuleCompileException e) {
                errors.addAll(e.errors());
            }
        }
        RuleFiles.print(errors, spec.commandLine().getErr());
        return RulesCheckCommand.EXIT_INVALID;
    }
}
