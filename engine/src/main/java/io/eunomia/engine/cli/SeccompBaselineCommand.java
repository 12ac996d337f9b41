package io.eunomia.engine.cli;

import io.eunomia.abi.Arch;
import io.eunomia.enforcer.caps.DockerDefaults;
import io.eunomia.enforcer.seccomp.RuntimeBaselines;
import io.eunomia.enforcer.verify.BaselineProbe;
import io.eunomia.enforcer.verify.ContainerLauncher;
import io.eunomia.enforcer.verify.ContainerRuntime;
import io.eunomia.enforcer.verify.ContainerdLauncher;
import io.eunomia.enforcer.verify.EngineLauncher;
import io.eunomia.enforcer.verify.OciLauncher;
import io.eunomia.enforcer.verify.Workload;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code eunomia seccomp baseline}: measure what a runtime needs under the filter on this host. */
@Command(name = "baseline", mixinStandardHelpOptions = true,
        description = "Measure a runtime's baseline on this host (the calls it makes between applying the seccomp filter "
                + "and exec'ing the workload) and compare it with the data generate uses. Exit code 1 when the runtime "
                + "needs calls the data lacks.")
public final class SeccompBaselineCommand implements Callable<Integer> {
    @Option(names = "--runtime", paramLabel = "RUNTIME", defaultValue = "runc",
            description = "docker, podman, runc, crun or containerd (default: runc).")
    String runtime;

    @Option(names = "--no-new-privileges", description = "Measure with no_new_privileges.")
    boolean noNewPrivileges;

    @Option(names = "--image", paramLabel = "IMAGE", description = "An image with /bin/true (docker, podman, containerd).")
    String image;

    @Option(names = "--rootfs", paramLabel = "DIR", description = "A root file system with /bin/true (runc, crun, containerd, podman).")
    Path rootfs;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Runs to unite (default: 5).")
    int runs;

    @Option(names = "--containerd-address", paramLabel = "SOCKET")
    Path containerdAddress = ContainerdLauncher.DEFAULT_ADDRESS;

    @Option(names = "--containerd-namespace", paramLabel = "NS", defaultValue = "default")
    String containerdNamespace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ContainerRuntime rt = ContainerRuntime.parse(runtime).orElseThrow(() -> new UserError(2,
                "--runtime must be docker, podman, runc, crun or containerd, not '" + runtime + "'"));
        if ((image == null) == (rootfs == null)) {
            throw new UserError(2, "give one of --image IMAGE or --rootfs DIR");
        }
        if (runs < 1) {
            throw new UserError(2, "--runs must be at least 1");
        }
        Workload w = image != null ? Workload.image(image, List.of("true")) : Workload.rootfs(rootfs, List.of("true"));
        ContainerLauncher launcher = switch (rt) {
            case DOCKER, PODMAN -> EngineLauncher.onPath(rt, Map.of(), Optional.empty());
            case RUNC, CRUN -> OciLauncher.onPath(rt);
            case CONTAINERD -> ContainerdLauncher.onPath(containerdAddress, containerdNamespace);
        };
        BaselineProbe.Measurement m;
        try {
            m = BaselineProbe.measure(launcher, w, noNewPrivileges, runs, DockerDefaults.CAPABILITIES, Duration.ofSeconds(120));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UserError(2, e.getMessage());
        }
        String oci = rt == ContainerRuntime.CRUN ? "crun" : "runc";
        Set<String> known = RuntimeBaselines.of(oci, noNewPrivileges, Arch.current()).map(RuntimeBaselines.Baseline::syscalls)
                .orElse(Set.of());
        Set<String> missing = new TreeSet<>(m.syscalls());
        missing.removeAll(known);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s%s no_new_privileges, %d runs: %s%n", rt.cliName(), noNewPrivileges ? " with" : " without", runs,
                String.join(" ", new TreeSet<>(m.syscalls())));
        out.printf("generate's data for %s: %s%n", oci, String.join(" ", known));
        out.println(missing.isEmpty() ? "covered: the data holds every call measured here"
                : "NOT covered: " + String.join(" ", missing) + " (give them to generate's users: file an issue)");
        out.flush();
        return missing.isEmpty() ? 0 : 1;
    }
}
