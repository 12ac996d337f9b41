package io.eunomia.enforcer.verify;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The runtimes a workload can be verified in. */
public enum ContainerRuntime {
    DOCKER, PODMAN, RUNC, CRUN, CONTAINERD;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether the runtime takes moby profiles as they are (and evaluates includes/excludes/archMap
     * itself). runc, crun and containerd read the OCI form and ignore those fields: they get the
     * profile evaluated for the container first.
     */
    public boolean evaluatesMobyProfiles() {
        return this == DOCKER || this == PODMAN;
    }

    public static Optional<ContainerRuntime> parse(String s) {
        return Arrays.stream(values()).filter(r -> r.cliName().equalsIgnoreCase(s.strip())).findFirst();
    }
}
