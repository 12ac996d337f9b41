package io.eunomia.enforcer.caps;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where a capability set goes: docker/podman run flags, compose, an OCI config, a Kubernetes container. */
public enum CapsFormat {
    DOCKER, COMPOSE, OCI, K8S;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<CapsFormat> parse(String s) {
        return Arrays.stream(values()).filter(f -> f.cliName().equalsIgnoreCase(s.strip())).findFirst();
    }
}
