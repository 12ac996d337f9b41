package io.eunomia.testkit;

import java.nio.file.Path;
import java.util.List;

/**
 * runc (Debian package {@code runc}), run as root with no extra flags. Default state root
 * {@value #DEFAULT_STATE_ROOT}; container state in {@code <root>/<id>/state.json}.
 *
 * <p>Cgroups (hybrid host, no cgroupsPath in the config): every v1 hierarchy and the v2 line are
 * {@code /<id>}, except that v1 paths are nested under the caller's own cgroup in a hierarchy where
 * the caller is not at the root (e.g. {@code 4:memory:/<caller's cgroup>/<id>}).
 */
public final class Runc extends OciRuntime {
    public static final String DEFAULT_STATE_ROOT = "/run/runc";

    /** runc with its default state root {@value #DEFAULT_STATE_ROOT}. */
    public Runc() {
        this(Path.of(DEFAULT_STATE_ROOT));
    }

    /** runc with {@code --root stateRoot}. */
    public Runc(Path stateRoot) {
        super("runc", Binaries.require("runc", "runc"), stateRoot);
    }

    @Override
    List<String> wrap(List<String> commandLine) {
        return commandLine;
    }
}
