package io.eunomia.engine.cli;

import io.eunomia.engine.pipeline.RuleLoader;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The rule files {@code rules check} and {@code rules compile} read: as monitor loads them, after the default pack unless told. */
final class RuleFileOptions {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "YAML or DRL rule files, or directories of them.")
    List<Path> files;

    @Option(names = "--no-default-rules", description = "Leave the shipped rule pack out (as monitor --no-default-rules).")
    boolean noDefaultRules;

    @Option(names = "--skip-unsupported", description = "Leave out (with a warning naming them) the YAML rules whose "
            + "conditions need a Falco field that cannot be filled here, instead of failing.")
    boolean skipUnsupported;

    /** The sources in load order: the default pack's first (unless left out), then the files'. */
    List<RuleSource> sources() throws IOException, RuleCompileException {
        return new RuleLoader(files, !noDefaultRules).sources(true);
    }
}
