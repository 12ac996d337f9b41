package io.eunomia.engine.cli;

import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.profiler.ProfileMerge;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code eunomia profile merge A B... -o OUT}: the union of runs or replicas. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge profiles (runs of one container, or replicas of one image) into their union.",
                "The first profile's name and image are kept unless --name/--image say otherwise."})
public final class ProfileMergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "2..*", description = "Profiles to merge.")
    List<Path> files = new ArrayList<>();

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the merged profile here (atomically); default: stdout.")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the merged profile.")
    String name;

    @Option(names = "--image", paramLabel = "IMAGE", description = "Image of the merged profile.")
    String image;

    @Option(names = "--allow-mixed-architectures",
            description = "Merge profiles learned on hosts of different architectures (x86_64 and aarch64) too.")
    boolean mixedArchitectures;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = "On stdout: text (the YAML profile) or json.")
    String format;

    @Override
    public Integer call() throws Exception {
        boolean json = ProfileCommand.json(spec.commandLine(), format);
        List<Profile> profiles = new ArrayList<>();
        for (Path f : files) {
            profiles.add(ProfileFiles.read(f));
        }
        Profile merged;
        try {
            merged = ProfileMerge.merge(profiles, mixedArchitectures);
        } catch (ProfileMerge.ArchitectureMismatchException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replace("allow mixed architectures",
                    "add --allow-mixed-architectures"));
        }
        if (name != null || image != null) {
            if (name != null && name.isBlank()) {
                throw new ParameterException(spec.commandLine(), "--name must not be empty");
            }
            merged = merged.withMetadata(merged.metadata().withName(name != null ? name : merged.metadata().name(),
                    image != null ? image : merged.metadata().image()));
        }
        if (out != null) {
            ProfileFiles.write(out, merged);
            spec.commandLine().getErr().printf("eunomia: merged %d profiles into %s (%d items)%n", profiles.size(), out,
                    merged.itemCount());
        } else {
            spec.commandLine().getOut().print(json ? ProfileFiles.toJson(merged) : ProfileFiles.toYaml(merged));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
