package io.eunomia.bpf.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which cgroup v1 controller's hierarchy names containers on this host. Runtimes put a container
 * in a cgroup of its own on every hierarchy; on a v1/v2 hybrid host some (crun) leave it in the v2
 * root, so the kernel also records the path on one v1 hierarchy. /proc/cgroups lists the
 * controllers in the kernel's cgroup_subsys_id order, with hierarchy 0 for those on v2.
 */
public final class CgroupControllers {
    /** A controller by its cgroup_subsys_id (its line in /proc/cgroups) and name. */
    public record Controller(int subsysId, String name) {}

    /** Controllers every runtime configures, in order of preference. */
    private static final List<String> PREFERRED = List.of("pids", "memory", "cpu", "cpuset", "devices", "freezer", "blkio");

    private CgroupControllers() {}

    /** The v1 controller to watch on this host; empty on a pure v2 host. */
    public static Optional<Controller> watchedV1() {
        try {
            return watchedV1(Files.readAllLines(Path.of("/proc/cgroups")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** From the lines of /proc/cgroups ("#subsys_name hierarchy num_cgroups enabled"). */
    static Optional<Controller> watchedV1(List<String> procCgroups) {
        Controller best = null;
        int bestRank = Integer.MAX_VALUE;
        int id = 0;
        for (String line : procCgroups) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            int subsysId = id++;
            if (f.length < 4 || f[1].equals("0") || !f[3].equals("1")) {
                continue; // on the v2 hierarchy, or disabled
            }
            int rank = PREFERRED.indexOf(f[0]);
            rank = rank < 0 ? PREFERRED.size() + subsysId : rank;
            if (rank < bestRank) {
                best = new Controller(subsysId, f[0]);
                bestRank = rank;
            }
        }
        return Optional.ofNullable(best);
    }
}
