package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * crun (Debian package {@code crun}). Default state root {@value #DEFAULT_STATE_ROOT}; container state
 * in {@code <root>/<id>/} ({@code status}, {@code config.json}).
 *
 * <p>crun 1.8.1 refuses a v1/v2 hybrid cgroup layout ("cgroups in hybrid mode not supported"). On such
 * a host (cgroup2 mounted at {@value #UNIFIED}) every crun invocation runs in a private mount namespace
 * where the v2 mount is removed first, so crun sees a pure v1 host:
 * {@code unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh crun ARGS...}
 * (arguments are passed as positional parameters, never interpolated into the shell code). The host
 * is untouched. Cgroups are then v1 only: {@code N:<controller>:/<id>} and {@code 0::/} (the container
 * stays in the v2 root).
 */
public final class Crun extends OciRuntime {
    public static final String DEFAULT_STATE_ROOT = "/run/crun";
    static final String UNIFIED = "/sys/fs/cgroup/unified";

    private final List<String> wrapper;

    /** crun with its default state root {@value #DEFAULT_STATE_ROOT}. */
    public Crun() {
        this(Path.of(DEFAULT_STATE_ROOT));
    }

    /** crun with {@code --root stateRoot}. */
    public Crun(Path stateRoot) {
        super("crun", Binaries.require("crun", "crun"), stateRoot);
        if (hybridCgroups()) {
            wrapper = List.of(Binaries.require("unshare", "util-linux").toString(), "-m", "--propagation", "private",
                    Binaries.require("sh", "dash").toString(), "-c",
                    "umount " + UNIFIED + " && exec \"$@\"", "sh");
            Binaries.require("umount", "mount");
        } else {
            wrapper = List.of();
        }
    }

    /** True when this host mounts cgroup v2 at {@value #UNIFIED} beside v1 hierarchies. */
    public static boolean hybridCgroups() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = line.indexOf(" - ");
                if (f.length > 4 && f[4].equals(UNIFIED) && dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether invocations go through the unshare wrapper. */
    public boolean wrapped() {
        return !wrapper.isEmpty();
    }

    @Override
    List<String> wrap(List<String> commandLine) {
        List<String> full = new ArrayList<>(wrapper);
        full.addAll(commandLine);
        return full;
    }
}
