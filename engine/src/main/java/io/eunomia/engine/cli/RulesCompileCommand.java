package io.eunomia.engine.cli;

import io.eunomia.engine.pipeline.RuleLoader;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleCompiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eunomia rules compile FILE...}: the DRL that YAML rule files compile to. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Print the DRL that rule files compile to (YAML compiled, DRL as written). Files load in the order given, "
                + "after the default pack (its macros and lists apply; a rule you override shows with your file).")
public final class RulesCompileCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "YAML or DRL rule files, or directories of them.")
    List<Path> files;

    @Option(names = "--no-default-rules", description = "Compile the files without the shipped rule pack.")
    boolean noDefaultRules;

    @Option(names = "--skip-unsupported", description = "Leave out (with a warning naming them) the YAML rules whose "
            + "conditions need a Falco field that cannot be filled here, instead of failing.")
    boolean skipUnsupported;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Map<String, String> drl;
        try {
            drl = new LinkedHashMap<>(RuleCompiler.toDrl(new RuleLoader(files, !noDefaultRules).sources(true), skipUnsupported));
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
