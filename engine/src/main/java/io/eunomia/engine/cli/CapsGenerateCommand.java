package io.eunomia.engine.cli;

import io.eunomia.abi.Capability;
import io.eunomia.enforcer.caps.CapabilitySet;
import io.eunomia.enforcer.caps.CapsEmitter;
import io.eunomia.enforcer.caps.CapsFormat;
import io.eunomia.enforcer.caps.DockerDefaults;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eunomia caps generate PROFILE...}: drop everything, add back what the workload was granted. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "The capabilities of learned profiles (their union) as docker/podman flags, a compose snippet, OCI "
                + "process.capabilities or a Kubernetes securityContext. Capabilities tried and refused while learning "
                + "are listed apart (not needed). A summary goes to stderr.")
public final class CapsGenerateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PROFILE", arity = "1..*", description = "Learned profiles (eunomia learn).")
    List<Path> profiles;

    @Option(names = "--format", paramLabel = "docker|compose|oci|k8s", defaultValue = "docker")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here (atomically) instead of stdout.")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CapsFormat f = CapsFormat.parse(format).orElseThrow(() -> new UserError(2,
                "--format must be docker, compose, oci or k8s, not '" + format + "'"));
        CapabilitySet set = CapabilitySet.of(HardeningInputs.learned(profiles));
        HardeningInputs.write(output, CapsEmitter.emit(set, f), spec.commandLine().getOut());
        PrintWriter err = spec.commandLine().getErr();
        err.printf("capabilities: %d kept (%s) vs Docker's default %d: %d of those dropped%s%n", set.keep().size(),
                names(set.keep()), DockerDefaults.CAPABILITIES.size(), set.droppedFromDockerDefault().size(),
                set.beyondDockerDefault().isEmpty() ? "" : "; beyond Docker's default: " + names(set.beyondDockerDefault()));
        if (!set.triedDenied().isEmpty()) {
            err.println("tried and refused while learning (not kept): " + names(set.triedDenied()));
        }
        if (set.nonRoot()) {
            err.println("note: the workload ran as a non-root user: it keeps capabilities only through the ambient set "
                    + "(the OCI form sets it; docker and Kubernetes give non-root users none at exec)");
        }
        err.flush();
        return 0;
    }

    private static String names(java.util.Set<Capability> caps) {
        return caps.isEmpty() ? "none" : caps.stream().map(Capability::name).collect(Collectors.joining(", "));
    }
}
