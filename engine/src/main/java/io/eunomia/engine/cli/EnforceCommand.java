package io.eunomia.engine.cli;

import io.eunomia.enforcer.kernel.ProfileTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code eunomia enforce}: learned profiles watched in the kernel, nothing else. Monitor's outputs,
 * metrics and rule options apply; only the enforcement sensor is loaded and only violations
 * reach the rules (the default pack's profile rules raise the alerts).
 */
@Command(name = "enforce", mixinStandardHelpOptions = true,
        description = {"Watch containers with their learned profiles: every syscall, capability check and exec outside "
                + "the profile is an alert (stdout, file, Alertmanager, metrics); in enforce mode the process is also "
                + "killed. The call that triggers a kill still runs: denying calls is the seccomp profile's job.",
                "Without --container or --image each profile applies to the container it was learned for (by name, "
                        + "or every container of its image), also to one that starts later."})
public final class EnforceCommand extends MonitorCommand {
    @Option(names = "--profile", paramLabel = "FILE", required = true,
            description = "A learned profile (repeatable; with --container or --image the files are merged into one).")
    List<Path> profileFiles = new ArrayList<>();

    @Option(names = "--container", paramLabel = "NAME|ID",
            description = "Apply the profile to this container (name, id or id prefix), also when it starts later.")
    String container;

    @Option(names = "--image", paramLabel = "IMG", description = "Apply the profile to every container of this image.")
    String image;

    @Override
    protected List<ProfileTarget> profileTargets() throws ProfileTargets.ProfileLoadException {
        if (!enforcement.modeGiven()) {
            throw new ParameterException(spec.commandLine(), "--mode monitor|enforce is required: monitor reports, enforce also kills");
        }
        if (container != null && image != null) {
            throw new ParameterException(spec.commandLine(), "--container and --image exclude each other: a profile applies to one or the other");
        }
        List<ProfileTarget> out = new ArrayList<>(ProfileTargets.fromFiles(profileFiles, container, image));
        out.addAll(super.profileTargets());
        return out;
    }

    @Override
    protected boolean profilesOnly() {
        return true;
    }
}
