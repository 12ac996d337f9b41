package io.eunomia.engine.cli;

import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code eunomia profile show FILE}. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Print a learned profile: summary for people (text) or the profile as JSON.")
public final class ProfileShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "A profile (YAML, or its JSON form).")
    Path file;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "text or json.")
    String format;

    @Override
    public Integer call() throws Exception {
        boolean json = ProfileCommand.json(spec.commandLine(), format);
        Profile p = ProfileFiles.read(file);
        spec.commandLine().getOut().print(json ? ProfileFiles.toJson(p) : ProfileText.show(p));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
