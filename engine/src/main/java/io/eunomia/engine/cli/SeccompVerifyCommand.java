package io.eunomia.engine.cli;

import io.eunomia.enforcer.seccomp.ReadProfile;
import io.eunomia.enforcer.verify.Confinement;
import io.eunomia.enforcer.verify.ContainerLauncher;
import io.eunomia.enforcer.verify.ContainerRuntime;
import io.eunomia.enforcer.verify.ContainerdLauncher;
import io.eunomia.enforcer.verify.EngineLauncher;
import io.eunomia.enforcer.verify.OciLauncher;
import io.eunomia.enforcer.verify.Verifier;
import io.eunomia.enforcer.verify.VerifyReport;
import io.eunomia.enforcer.verify.VerifyReportFormat;
import io.eunomia.enforcer.verify.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eunomia seccomp verify --profile FILE ... -- COMMAND...}: run it for real and see what was refused. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Run a workload in a real runtime under a seccomp profile and capabilities, and report what the kernel "
                + "refused (seen by the seccomp sensor), what it only logged (SCMP_ACT_LOG: kernel log and sensor) and the "
                + "workload's CapEff and no_new_privs read in the kernel at its exec. Exit code 0 when nothing was refused or "
                + "logged and the filter was in force, 1 otherwise.")
public final class SeccompVerifyCommand implements Callable<Integer> {
    @Option(names = "--profile", required = true, paramLabel = "FILE",
            description = "The seccomp profile (moby JSON, OCI or Kubernetes SeccompProfile).")
    Path profile;

    @Option(names = "--caps", split = ",", paramLabel = "CAP",
            description = "Capabilities to keep (everything else dropped): names, 'default' (Docker's 14, the default), "
                    + "'none' or 'all'.")
    List<String> caps = new ArrayList<>(List.of("default"));

    @Option(names = "--image", paramLabel = "IMAGE", description = "An image the runtime has (docker, podman, containerd).")
    String image;

    @Option(names = "--rootfs", paramLabel = "DIR",
            description = "A root file system (runc, crun, containerd, podman); the workload runs on it in place.")
    Path rootfs;

    @Option(names = "--runtime", paramLabel = "RUNTIME", defaultValue = "docker",
            description = "docker, podman, runc, crun or containerd (default: docker).")
    String runtime;

    @Option(names = "--no-new-privileges", description = "Run with no_new_privileges.")
    boolean noNewPrivileges;

    @Option(names = "--network", paramLabel = "MODE", description = "docker/podman --network (default: the engine's).")
    String network;

    @Option(names = "--containerd-address", paramLabel = "SOCKET",
            description = "containerd's socket (default: /run/containerd/containerd.sock).")
    Path containerdAddress = ContainerdLauncher.DEFAULT_ADDRESS;

    @Option(names = "--containerd-namespace", paramLabel = "NS", defaultValue = "default")
    String containerdNamespace;

    @Option(names = "--runtime-root", paramLabel = "DIR", description = "runc/crun --root (default: /run/runc, /run/crun).")
    Path runtimeRoot;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Stop the workload after this long (default: 120).")
    long timeoutSeconds;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text")
    String format;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The workload's command, after --.")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("text") && !format.equals("json")) {
            throw new UserError(2, "--format must be text or json, not '" + format + "'");
        }
        ContainerRuntime rt = ContainerRuntime.parse(runtime).orElseThrow(() -> new UserError(2,
                "--runtime must be docker, podman, runc, crun or containerd, not '" + runtime + "'"));
        if ((image == null) == (rootfs == null)) {
            throw new UserError(2, "give one of --image IMAGE or --rootfs DIR");
        }
        ReadProfile read = HardeningInputs.seccomp(profile);
        Workload workload = image != null ? Workload.image(image, command) : Workload.rootfs(rootfs, command);
        Confinement confinement = new Confinement(read.profile(), HardeningInputs.caps(caps), noNewPrivileges);
        VerifyReport report;
        try {
            report = Verifier.run(launcher(rt), workload, confinement, Duration.ofSeconds(timeoutSeconds));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UserError(2, e.getMessage());
        }
        spec.commandLine().getOut().print(format.equals("json") ? VerifyReportFormat.json(report)
                : VerifyReportFormat.text(report));
        spec.commandLine().getOut().flush();
        return report.clean() ? 0 : 1;
    }

    private ContainerLauncher launcher(ContainerRuntime rt) throws java.io.IOException {
        return switch (rt) {
            case DOCKER, PODMAN -> EngineLauncher.onPath(rt, Map.of(), Optional.ofNullable(network));
            case RUNC, CRUN -> runtimeRoot == null ? OciLauncher.onPath(rt)
                    : new OciLauncher(rt, OciLauncher.onPath(rt).binary(), runtimeRoot);
            case CONTAINERD -> ContainerdLauncher.onPath(containerdAddress, containerdNamespace);
        };
    }
}
