package io.eunomia.engine.cli;

import io.eunomia.abi.Errno;
import io.eunomia.enforcer.caps.CapabilitySet;
import io.eunomia.enforcer.seccomp.GenerateSummary;
import io.eunomia.enforcer.seccomp.KubernetesProfileWriter;
import io.eunomia.enforcer.seccomp.ProfileForm;
import io.eunomia.enforcer.seccomp.SeccompGenerator;
import io.eunomia.enforcer.seccomp.SeccompProfileWriter;
import io.eunomia.profiler.Profile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eunomia seccomp generate PROFILE...}: a seccomp profile from learned profiles. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write the seccomp profile of learned profiles (their union): the workload's calls and the runtime's "
                + "measured baseline allowed, the rest refused (or logged with --complain). A summary goes to stderr.")
public final class SeccompGenerateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PROFILE", arity = "1..*", description = "Learned profiles (eunomia learn).")
    List<Path> profiles;

    @Option(names = "--format", paramLabel = "docker|oci|k8s", defaultValue = "docker",
            description = "docker: moby JSON for docker/podman --security-opt seccomp=FILE; oci: the linux.seccomp "
                    + "object of an OCI config; k8s: a Security Profiles Operator SeccompProfile (default: docker).")
    String format;

    @Option(names = "--runtime", paramLabel = "RUNTIME",
            description = "The runtime that will run it (runc, crun, docker, podman, containerd): its baseline is added. "
                    + "Default: the one the profile was learned under.")
    String runtime;

    @Option(names = "--no-new-privileges", negatable = true,
            description = "The container runs with no_new_privileges (the runtime needs fewer calls then). Default: as learned.")
    Boolean noNewPrivileges;

    @Option(names = "--arch", split = ",", paramLabel = "ARCH",
            description = "Target architectures, e.g. x86_64,aarch64 (default: those learned).")
    List<String> arches = new ArrayList<>();

    @Option(names = "--errno", paramLabel = "EPERM|ENOSYS", defaultValue = "EPERM",
            description = "What refused calls return (default: EPERM).")
    String errno;

    @Option(names = "--complain", description = "Log (SCMP_ACT_LOG) instead of refusing what was not learned.")
    boolean complain;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here (atomically) instead of stdout.")
    Path output;

    @Option(names = "--name", paramLabel = "NAME", description = "k8s: the SeccompProfile's name (default: the profile's).")
    String name;

    @Option(names = "--namespace", paramLabel = "NS", hidden = true,
            description = "Refused: SeccompProfile objects are cluster-scoped.")
    String namespace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ProfileForm form = switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "docker" -> ProfileForm.DOCKER;
            case "oci" -> ProfileForm.OCI;
            case "k8s", "kubernetes" -> ProfileForm.KUBERNETES;
            default -> throw new UserError(2, "--format must be docker, oci or k8s, not '" + format + "'");
        };
        int errnoValue = switch (errno.toUpperCase(java.util.Locale.ROOT)) {
            case "EPERM" -> Errno.EPERM;
            case "ENOSYS" -> Errno.ENOSYS;
            default -> throw new UserError(2, "--errno must be EPERM or ENOSYS, not '" + errno + "'");
        };
        if (form == ProfileForm.KUBERNETES && errnoValue != Errno.EPERM) {
            throw new UserError(2, "a Kubernetes SeccompProfile has no default errno (refused calls get the runtime's "
                    + "EPERM): leave --errno out with --format k8s");
        }
        if (namespace != null) {
            throw new UserError(2, "--namespace: SeccompProfile objects are cluster-scoped (security-profiles-operator.x-k8s.io/v1, "
                    + "the operator's CRD since 2025): drop --namespace; the pod in any namespace names operator/NAME.json");
        }
        List<Profile> learned = HardeningInputs.learned(profiles);
        SeccompGenerator.Result r;
        try {
            r = SeccompGenerator.generate(learned, new SeccompGenerator.Options(HardeningInputs.arches(arches),
                    Optional.ofNullable(runtime), Optional.ofNullable(noNewPrivileges), errnoValue, complain, form));
        } catch (SeccompGenerator.GenerateException e) {
            throw new UserError(HardeningInputs.EXIT_INVALID, e.getMessage());
        }
        String text = switch (form) {
            case DOCKER -> SeccompProfileWriter.writeDocker(r.profile());
            case OCI -> SeccompProfileWriter.writeOci(r.profile());
            case KUBERNETES -> KubernetesProfileWriter.write(r.profile(),
                    name != null ? name : learned.getFirst().metadata().name());
        };
        HardeningInputs.write(output, text, spec.commandLine().getOut());
        PrintWriter err = spec.commandLine().getErr();
        for (String line : GenerateSummary.lines(r, CapabilitySet.of(learned), Optional.ofNullable(runtime))) {
            err.println(line);
        }
        err.println("baseline: " + r.ociRuntime() + (r.noNewPrivileges() ? " with" : " without")
                + " no_new_privileges (" + r.baselineSource() + ")");
        for (SeccompGenerator.ArgumentCoverage a : r.arguments()) {
            err.println("arguments: " + a.syscall() + ": " + a.detail());
        }
        for (String n : r.notes()) {
            err.println("note: " + n);
        }
        err.flush();
        return 0;
    }
}
