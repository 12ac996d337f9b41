package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.eunomia.profiler.ProfileDiff;
import io.eunomia.profiler.ProfileFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code eunomia profile diff BEFORE AFTER}. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"List syscalls, argument values, capabilities and executables added (+) and removed (-) from BEFORE to AFTER.",
                "Exit status: 0 when the profiles learned the same things, 1 when they differ."})
public final class ProfileDiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BEFORE")
    Path before;

    @Parameters(index = "1", paramLabel = "AFTER")
    Path after;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "text or json.")
    String format;

    @Override
    public Integer call() throws Exception {
        boolean json = ProfileCommand.json(spec.commandLine(), format);
        ProfileDiff d = ProfileDiff.between(ProfileFiles.read(before), ProfileFiles.read(after));
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(ProfileText.diffJson(d, before.toString(), after.toString())));
        } else {
            out.print(ProfileText.diff(d, before.toString(), after.toString()));
        }
        out.flush();
        return d.isEmpty() ? 0 : 1;
    }
}
