package io.eunomia.engine.cli;

import io.eunomia.abi.Arch;
import io.eunomia.enforcer.seccomp.ProfileProblem;
import io.eunomia.enforcer.seccomp.ReadProfile;
import io.eunomia.enforcer.seccomp.SeccompProfileException;
import io.eunomia.enforcer.seccomp.SeccompProfileReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code eunomia seccomp check FILE...}: validate profiles the way the generator and verify read them. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate seccomp profiles (moby JSON, OCI linux.seccomp or config.json, Kubernetes SeccompProfile): "
                + "errors and warnings as file:line:column: message. Exit code 1 when a file has errors.")
public final class SeccompCheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*")
    List<Path> files;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int status = 0;
        for (Path f : files) {
            try {
                ReadProfile r = SeccompProfileReader.read(f);
                for (ProfileProblem w : r.warnings()) {
                    spec.commandLine().getErr().println(w + " (warning)");
                }
                long names = r.profile().syscalls().stream().mapToLong(s -> s.names().size()).sum();
                spec.commandLine().getOut().printf("%s: OK (%s profile, %d rules naming %d calls, %d allowed on %s)%n", f,
                        r.form().name().toLowerCase(java.util.Locale.ROOT), r.profile().syscalls().size(), names,
                        r.profile().evaluate(Arch.current(), io.eunomia.enforcer.caps.DockerDefaults.CAPABILITIES,
                                io.eunomia.enforcer.seccomp.KernelVersion.running()).allowedNames().size(),
                        Arch.current().id());
            } catch (SeccompProfileException e) {
                e.problems().forEach(p -> spec.commandLine().getErr().println(p));
                status = HardeningInputs.EXIT_INVALID;
            }
        }
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
        return status;
    }
}
