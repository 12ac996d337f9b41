package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.seccomp.KernelVersion;
import io.eunomia.enforcer.seccomp.ProfileDiff;
import io.eunomia.enforcer.seccomp.ReadProfile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eunomia seccomp diff A B}: what A refuses that B lets run, and the other way round. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compare two seccomp profiles (moby, OCI or Kubernetes) as one container on one host meets them: "
                + "conditions (capabilities, architecture, kernel) are evaluated first. Exit code 0 when they decide "
                + "every call alike, 1 otherwise.")
public final class SeccompDiffCommand implements Callable<Integer> {
    private static final int WIDTH = 100;

    @Parameters(index = "0", paramLabel = "A", description = "e.g. the generated profile")
    Path first;

    @Parameters(index = "1", paramLabel = "B", description = "e.g. /usr/share/containers/seccomp.json")
    Path second;

    @Option(names = "--arch", paramLabel = "ARCH", description = "The host architecture (default: this host's).")
    String arch;

    @Option(names = "--caps", split = ",", paramLabel = "CAP",
            description = "The container's capabilities: names, 'default' (Docker's 14, the default), 'all' or 'none'.")
    List<String> caps = new ArrayList<>(List.of("default"));

    @Option(names = "--kernel", paramLabel = "X.Y", description = "The host kernel's version (default: this one's).")
    String kernel;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text")
    String format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("text") && !format.equals("json")) {
            throw new UserError(2, "--format must be text or json, not '" + format + "'");
        }
        Arch host = arch == null ? Arch.current() : HardeningInputs.arches(List.of(arch)).getFirst();
        Set<Capability> capabilities = HardeningInputs.caps(caps);
        KernelVersion k = kernel == null ? KernelVersion.running() : KernelVersion.parseMinKernel(kernel)
                .orElseThrow(() -> new UserError(2, "--kernel must be MAJOR.MINOR, e.g. 6.1, not '" + kernel + "'"));
        ReadProfile a = HardeningInputs.seccomp(first);
        ReadProfile b = HardeningInputs.seccomp(second);
        ProfileDiff d = ProfileDiff.of(a.profile(), b.profile(), host, capabilities, k);
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("a", first.toString());
            m.put("b", second.toString());
            m.put("arch", host.id());
            m.put("capabilities", capabilities.stream().map(Capability::capName).toList());
            m.put("kernel", k.toString());
            m.put("defaultA", d.firstDefault().describe());
            m.put("defaultB", d.secondDefault().describe());
            m.put("allowedA", d.firstAllowed());
            m.put("allowedB", d.secondAllowed());
            m.put("removedByA", d.removes());
            m.put("addedByA", d.adds());
            m.put("differs", d.differs());
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
        } else {
            out.printf("A: %s (%s, %d calls may run)%n", first, a.form().name().toLowerCase(java.util.Locale.ROOT), d.firstAllowed());
            out.printf("B: %s (%s, %d calls may run)%n", second, b.form().name().toLowerCase(java.util.Locale.ROOT), d.secondAllowed());
            out.printf("for %s, capabilities %s, kernel %s%n", host.id(), capabilities.isEmpty() ? "none"
                    : capabilities.stream().map(Capability::name).collect(Collectors.joining(",")), k);
            out.printf("default: A %s, B %s%n", d.firstDefault().describe(), d.secondDefault().describe());
            out.printf("A refuses, B lets run (A removes): %d%n", d.removes().size());
            wrap(out, d.removes());
            out.printf("A lets run, B refuses (A adds): %d%n", d.adds().size());
            wrap(out, d.adds());
            out.printf("both let run, on different terms: %d%n", d.differs().size());
            for (ProfileDiff.Change c : d.differs()) {
                out.printf("  %s%n    A: %s%n    B: %s%n", c.syscall(), c.first(), c.second());
            }
        }
        out.flush();
        return d.same() ? 0 : 1;
    }

    private static void wrap(PrintWriter out, List<String> names) {
        StringBuilder line = new StringBuilder("  ");
        for (String n : names) {
            if (line.length() + n.length() + 1 > WIDTH) {
                out.println(line.toString().stripTrailing());
                line = new StringBuilder("  ");
            }
            line.append(n).append(' ');
        }
        if (line.length() > 2) {
            out.println(line.toString().stripTrailing());
        }
    }
}
