package io.eunomia.enforcer.verify;

import io.eunomia.enforcer.internal.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * crun 1.8 refuses a v1/v2 hybrid cgroup host ("cgroups in hybrid mode not supported") while the
 * v2 hierarchy holds a controller (hugetlb, when no v1 hierarchy has it). There every crun
 * invocation runs in a private mount namespace without the v2 mount, so crun sees a v1 host:
 * {@code unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh
 * crun ...}. The arguments are positional parameters, never part of the shell code; the host's
 * mounts are untouched. Whoever starts crun (the verifier, {@code eunomia learn -- COMMAND}) goes
 * through {@link #wrapper()}.
 */
public final class CrunCgroups {
    static final String UNIFIED = "/sys/fs/cgroup/unified";

    private CrunCgroups() {}

    /** The command line to put before crun's own on this host: empty where crun runs as it is. */
    public static List<String> wrapper() throws IOException {
        if (!hybrid()) {
            return List.of();
        }
        Path unshare = Command.find("unshare");
        Path sh = Command.find("sh");
        if (unshare == null || sh == null) {
            throw new IllegalStateException("crun on this hybrid cgroup host needs unshare and sh: run 'apt-get install "
                    + "util-linux dash'");
        }
        return List.of(unshare.toString(), "-m", "--propagation", "private", sh.toString(), "-c",
                "umount " + UNIFIED + " && exec \"$@\"", "sh");
    }

    /** Whether cgroup v2 is mounted at /sys/fs/cgroup/unified beside v1 hierarchies. */
    public static boolean hybrid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length > 4 && f[4].equals(UNIFIED) && dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ")) {
                return true;
            }
        }
        return false;
    }
}
