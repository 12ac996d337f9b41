package io.eunomia.profiler.kernel;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.ContainerInfo;
import io.eunomia.profiler.RuntimeInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which OCI runtime set a container up, and its version: the container's state directory tells
 * runc ({@code state.json}) from crun ({@code status}); the version comes from the runtime binary
 * ({@code runc --version}), asked once per runtime.
 */
final class RuntimeDetection {
    private static final List<String> BIN_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");
    private static final Pattern VERSION = Pattern.compile("version\\s+(\\S+)");
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final ContainerSources sources;
    private final Map<String, String> versions = new ConcurrentHashMap<>();

    RuntimeDetection(ContainerSources sources) {
        this.sources = sources;
    }

    RuntimeInfo detect(ContainerInfo c) {
        // "conmon": a trusted conmon ran it, podman's or CRI-O's, and neither's records nor cgroup said
        // which. Kept as the manager (not dropped as if the runtime ran directly): its OCI runtime's state
        // names the baseline, and a generator without it can say why (podman and CRI-O run runc or crun,
        // as each is configured).
        String manager = switch (c.runtime()) {
            case "docker", "podman", "containerd", "cri-o", "conmon" -> c.runtime();
            default -> "";
        };
        String oci = switch (c.runtime()) {
            case "runc", "crun" -> c.runtime();
            default -> fromStateDirectory(c.id());
        };
        if (oci.equals("unknown") && (manager.equals("docker") || manager.equals("containerd"))) {
            oci = "runc";   // their default, when the state directory is gone already
        }
        return new RuntimeInfo(oci, oci.equals("unknown") ? "" : version(oci), manager);
    }

    private String fromStateDirectory(String id) {
        if (!SAFE_ID.matcher(id).matches()) {
            return "unknown";   // never a path from an odd id
        }
        for (ContainerSources.StateRoot root : sources.stateRoots()) {
            Path dir = root.dir().resolve(id);
            if (Files.exists(dir.resolve("state.json"))) {
                return "runc";
            }
            if (Files.exists(dir.resolve("status"))) {
                return "crun";
            }
        }
        return "unknown";
    }

    /** The runtime's version, "" when its binary is not found or says nothing we understand. */
    String version(String runtime) {
        return versions.computeIfAbsent(runtime, RuntimeDetection::ask);
    }

    private static String ask(String runtime) {
        if (!runtime.equals("runc") && !runtime.equals("crun")) {
            return "";
        }
        for (String dir : BIN_DIRS) {
            Path bin = Path.of(dir, runtime);
            if (!Files.isExecutable(bin)) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(bin.toString(), "--version").redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                String out;
                try (InputStream in = p.getInputStream()) {
                    out = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                }
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return "";
                }
                Matcher m = VERSION.matcher(out);
                return m.find() ? m.group(1) : "";
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }
        return "";
    }
}
