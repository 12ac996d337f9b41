package io.eunomia.bpf.container;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container ids in /proc/PID/cgroup paths, for the layouts runtimes use with the cgroupfs and
 * systemd drivers, on cgroup v1 and v2:
 * <pre>
 *   /docker/ID                      system.slice/docker-ID.scope         docker
 *   /libpod_parent/libpod-ID        machine.slice/libpod-ID.scope        podman
 *   .../cri-containerd-ID.scope     /kubepods/.../ID                     containerd (CRI)
 *   .../crio-ID.scope                                                    CRI-O
 *   /ID (runc/crun's default cgroupsPath)                                plain OCI runtimes
 * </pre>
 */
public final class CgroupPatterns {
    /** A runtime hint and a container id found in a cgroup path. */
    public record Match(String runtime, String id) {}

    private record Rule(String runtime, Pattern pattern) {}

    private static final String ID = "([0-9a-f]{64})";
    private static final List<Rule> RULES = List.of(
            new Rule("docker", Pattern.compile("(?:^|/)docker[-/]" + ID + "(?:\\.scope)?(?:/|$)")),
            new Rule("podman", Pattern.compile("(?:^|/)libpod-" + ID + "(?:\\.scope)?(?:/|$)")),
            new Rule("containerd", Pattern.compile("(?:^|/)cri-containerd-" + ID + "\\.scope(?:/|$)")),
            new Rule("cri-o", Pattern.compile("(?:^|/)crio-" + ID + "\\.scope(?:/|$)")),
            new Rule("containerd", Pattern.compile("(?:^|/)kubepods[^\\n]*/" + ID + "$")));

    /** Plain OCI runtime ids: what runc and crun accept as a container id. */
    private static final Pattern OCI_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

    private CgroupPatterns() {}

    /**
     * The outermost runtime-specific match of the first hierarchy that has one, e.g. ("docker",
     * "3f2a..."). Outermost, because a container allowed to create cgroups below its own could
     * name one after another container: only the runtime places the outermost one.
     */
    public static Optional<Match> match(List<String> cgroupLines) {
        for (String path : paths(cgroupLines)) {
            Match best = null;
            int bestStart = Integer.MAX_VALUE;
            for (Rule r : RULES) {
                Matcher m = r.pattern.matcher(path);
                if (m.find() && m.start() < bestStart) {
                    best = new Match(r.runtime, m.group(1));
                    bestStart = m.start();
                }
            }
            if (best != null) {
                return Optional.of(best);
            }
        }
        return Optional.empty();
    }

    /**
     * Path components that could be a plain OCI runtime's container id (runc and crun put a
     * container in /ID by default, sometimes below the caller's own cgroup), outermost first, to be
     * checked against the runtimes' state directories: the outermost one that is a container is
     * the one the runtime made (see {@link #match}).
     */
    public static Set<String> ociIdCandidates(List<String> cgroupLines) {
        Set<String> out = new LinkedHashSet<>();
        for (String path : paths(cgroupLines)) {
            for (String component : path.split("/")) {
                if (isSafeOciId(component)) {
                    out.add(component);
                }
            }
        }
        return out;
    }

    /** A container id that is safe to use as a file name (no "/", no "..", bounded length). */
    public static boolean isSafeOciId(String id) {
        return OCI_ID.matcher(id).matches() && !id.equals(".") && !id.contains("..");
    }

    /** "12:cpuset:/docker/ID" → "/docker/ID"; "0::/" → "/". */
    static List<String> paths(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second > 0) {
                String path = line.substring(second + 1);
                if (!path.equals("/") && !path.isEmpty()) {
                    out.add(path);
                }
            }
        }
        return out;
    }
}
