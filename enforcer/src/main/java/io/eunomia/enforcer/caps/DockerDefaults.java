package io.eunomia.enforcer.caps;

import io.eunomia.abi.Capability;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The capabilities Docker (moby's oci/caps defaults), containerd's default spec and the OCI
 * runtimes' usual configs give a container unless told otherwise: 14 of them. Measured here as
 * well: CapEff 0x00000000a80425fb in a default {@code ctr run} and {@code docker run} container.
 */
public final class DockerDefaults {
    public static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FSETID, Capability.FOWNER, Capability.MKNOD,
            Capability.NET_RAW, Capability.SETGID, Capability.SETUID, Capability.SETFCAP, Capability.SETPCAP,
            Capability.NET_BIND_SERVICE, Capability.SYS_CHROOT, Capability.KILL, Capability.AUDIT_WRITE));

    /** podman's default (containers.conf default_capabilities): Docker's without MKNOD, NET_RAW, AUDIT_WRITE. */
    public static final Set<Capability> PODMAN_CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FOWNER, Capability.FSETID, Capability.KILL,
            Capability.NET_BIND_SERVICE, Capability.SETFCAP, Capability.SETGID, Capability.SETPCAP, Capability.SETUID,
            Capability.SYS_CHROOT));

    private DockerDefaults() {
    }
}
