package io.eunomia.enforcer.verify;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.seccomp.EffectiveProfile;
import io.eunomia.enforcer.seccomp.KernelVersion;
import io.eunomia.enforcer.seccomp.SeccompProfile;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the container is confined by: a seccomp profile, exactly these capabilities (bounding,
 * effective and permitted; everything else dropped) and whether no_new_privs is set.
 */
public record Confinement(SeccompProfile profile, Set<Capability> capabilities, boolean noNewPrivileges) {
    public Confinement {
        capabilities = Collections.unmodifiableSet(capabilities.isEmpty() ? EnumSet.noneOf(Capability.class)
                : EnumSet.copyOf(capabilities));
    }

    /** The profile as this container gets it on this host (what an OCI runtime must be given). */
    public EffectiveProfile effective() {
        return profile.evaluate(Arch.current(), capabilities, KernelVersion.running());
    }
}
