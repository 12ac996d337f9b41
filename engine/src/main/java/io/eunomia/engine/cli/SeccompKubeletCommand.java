package io.eunomia.engine.cli;

import io.eunomia.abi.Errno;
import io.eunomia.enforcer.seccomp.KubeletLocalhost;
import io.eunomia.enforcer.seccomp.ProfileForm;
import io.eunomia.enforcer.seccomp.SeccompGenerator;
import io.eunomia.enforcer.seccomp.SeccompProfileWriter;
import io.eunomia.profiler.Profile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code eunomia seccomp kubelet PROFILE|DIR...}: the node's learned profiles as kubelet
 * {@code Localhost} seccomp files, one per profile name (profiles of one name, e.g. collected from
 * several nodes, are merged: their union), written atomically; the securityContext that uses each
 * is printed.
 */
@Command(name = "kubelet", mixinStandardHelpOptions = true,
        description = {"Write learned profiles as kubelet Localhost seccomp profiles (moby JSON) under "
                + "ROOT/var/lib/kubelet/seccomp/profiles/NAME.json, atomically; profiles of one name are merged (their union). "
                + "Prints the pod securityContext that uses each.",
                "  eunomia seccomp kubelet /var/lib/eunomia/profiles",
                "  eunomia seccomp kubelet --root /host node-a/app.yaml node-b/app.yaml"})
public final class SeccompKubeletCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PROFILE|DIR", arity = "1..*", description = "Learned profiles, or directories of them (*.yaml).")
    List<Path> inputs;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
            description = "The node's root (default /; in a pod, where the host's root is mounted).")
    Path root;

    @Option(names = "--runtime", paramLabel = "RUNTIME",
            description = "The runtime under the kubelet (runc, crun, containerd): its baseline is added. Default: as learned.")
    String runtime;

    @Option(names = "--complain", description = "Log (SCMP_ACT_LOG) instead of refusing what was not learned.")
    boolean complain;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!Files.isDirectory(root)) {
            throw new UserError(2, "--root " + root + " is not a directory");
        }
        Map<String, List<Path>> byName = new TreeMap<>();
        Map<String, List<Profile>> profiles = new TreeMap<>();
        List<Path> files = files();
        List<Profile> learned = HardeningInputs.learned(files);
        for (int i = 0; i < files.size(); i++) {
            String name = learned.get(i).metadata().name();
            byName.computeIfAbsent(name, k -> new ArrayList<>()).add(files.get(i));
            profiles.computeIfAbsent(name, k -> new ArrayList<>()).add(learned.get(i));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (var e : profiles.entrySet()) {
            SeccompGenerator.Result r;
            try {
                r = SeccompGenerator.generate(e.getValue(), new SeccompGenerator.Options(List.of(), Optional.ofNullable(runtime),
                        Optional.empty(), Errno.EPERM, complain, ProfileForm.DOCKER));
            } catch (SeccompGenerator.GenerateException x) {
                throw new UserError(HardeningInputs.EXIT_INVALID, e.getKey() + ": " + x.getMessage());
            }
            Path target = KubeletLocalhost.file(root, e.getKey());
            try {
                Files.createDirectories(target.getParent());
            } catch (IOException x) {
                throw new UserError(2, "cannot make " + target.getParent() + ": " + x.getMessage());
            }
            HardeningInputs.write(target, SeccompProfileWriter.writeDocker(r.profile()), out);
            err.println("wrote " + target + " from " + byName.get(e.getKey()).size() + " profile(s) of " + e.getKey()
                    + " (baseline: " + r.ociRuntime() + ")");
            out.println("# " + e.getKey() + ": " + String.join(", ", byName.get(e.getKey()).stream().map(Path::toString).toList()));
            out.print(KubeletLocalhost.securityContext(e.getKey()));
        }
        out.flush();
        err.flush();
        return 0;
    }

    /** The profile files: those given, and the *.yaml files of the directories given. */
    private List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (Path p : inputs) {
            if (!Files.isDirectory(p)) {
                out.add(p);
                continue;
            }
            try (Stream<Path> s = Files.list(p)) {
                List<Path> yaml = s.filter(f -> f.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(f)).sorted().toList();
                if (yaml.isEmpty()) {
                    throw new UserError(2, p + " holds no profile (*.yaml)");
                }
                out.addAll(yaml);
            } catch (IOException e) {
                throw new UserError(2, "cannot list " + p + ": " + e.getMessage());
            }
        }
        return out;
    }
}
