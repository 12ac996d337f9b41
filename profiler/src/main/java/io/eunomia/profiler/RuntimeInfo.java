package io.eunomia.profiler;

import java.util.Comparator;
import java.util.Objects;

/**
 * The container runtime whose set-up calls a profile keeps apart, so a generator can add that
 * runtime's baseline (what it needs between applying a seccomp filter and exec'ing the workload).
 *
 * @param name    the OCI runtime that set the container up: runc, crun, ... ("unknown" when not found)
 * @param version its version ("" when unknown), e.g. "1.1.5"
 * @param manager what asked the runtime to start it: docker, podman, containerd, cri-o; conmon when
 *                conmon ran it and neither podman's records nor CRI-O's cgroup said whose; "" when the
 *                runtime was run directly
 */
public record RuntimeInfo(String name, String version, String manager) implements Comparable<RuntimeInfo> {
    private static final Comparator<RuntimeInfo> ORDER = Comparator.comparing(RuntimeInfo::name)
            .thenComparing(RuntimeInfo::version).thenComparing(RuntimeInfo::manager);

    public RuntimeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(manager, "manager");
        if (name.isBlank()) {
            throw new IllegalArgumentException("runtime name must not be blank");
        }
    }

    @Override
    public int compareTo(RuntimeInfo o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return name + (version.isEmpty() ? "" : " " + version) + (manager.isEmpty() ? "" : " (" + manager + ")");
    }
}
